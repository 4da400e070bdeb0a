//! Server-side glue shared by the axum handlers and Leptos server functions: application
//! state, the dashboard-session protocol, and error mapping. Thin by design.
pub mod accepts_html;
pub mod dashboard_session;
pub mod http_status;
pub mod server_context;
pub mod server_fn_error;
pub mod shown_once_flash;
pub mod state;

pub use state::{AppState, AppStateParts};
