pub mod auth_card;
pub mod dashboard_layout;
pub mod empty_state;
pub mod server_error;
pub mod team_switcher;
pub mod text_field;
pub mod time_text;
pub mod user_menu;
