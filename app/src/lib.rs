//! Linkgate's Leptos application: dashboard pages (server-rendered, with islands) and, behind the `ssr`
//! feature, the domain layer every HTTP surface calls.
#![cfg_attr(
    feature = "ssr",
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
// Leptos views are deeply nested types; the dashboard layout exceeds the default of 128.
#![recursion_limit = "256"]

pub mod api;
pub mod app_views;
pub mod components;
pub mod form_outcome;
pub mod logo_refusal;
pub mod page_context;
pub mod pages;
pub mod profile_views;
pub mod query_escape;
pub mod service_types;
pub mod shell;
pub mod shown_once;
pub mod team_views;
pub mod viewer;
pub mod wait_in_words;

#[cfg(feature = "ssr")]
pub mod domain;
#[cfg(feature = "ssr")]
pub mod entity;
#[cfg(feature = "ssr")]
pub mod site_assets;
#[cfg(feature = "ssr")]
pub mod web;

pub use shell::{shell, App};

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Islands mode: the page is the server's; only `#[island]` components come alive.
    leptos::mount::hydrate_islands();
}
