//! Every HTTP integration test in one binary: one link of the server instead of one per
//! file keeps builds and target/ small on these 2-core machines.
#[macro_use]
mod common;

mod account_flow;
mod account_flow_failures;
mod account_import;
mod account_page;
mod account_refresh;
mod anonymous_limits;
mod answer_cache;
mod app_accounts;
mod app_credentials;
mod bundle_files;
mod configure_from_code;
mod connect_links;
mod dashboard_auth;
mod dashboard_try;
mod direct_api;
mod email_links;
mod form_input;
mod hardening;
mod key_rotation;
mod management_api;
mod metrics;
mod operator_commands;
mod outbound_policy;
mod password_accounts;
mod password_phishing;
mod plain_forms;
mod production_guide;
mod provider_binding;
mod provider_conversations;
mod provider_registrations;
mod service_accounts;
mod settings_security;
mod several_instances;
mod sign_in_throttle;
mod team_api_keys;
mod team_membership;
mod team_permissions;
mod two_factor;
mod user_session;
mod webhooks;
mod write_groups;
