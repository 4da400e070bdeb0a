pub mod auth_card;
pub mod dashboard_layout;
pub mod empty_state;
pub mod text_field;
pub mod user_menu;
