use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    #[sea_orm(unique)]
    pub email: String,
    pub password_hash: String,
    pub created_at: i64,
    /// When the user last proved they read mail at `email`; `None` until then.
    pub email_verified_at: Option<i64>,
    /// The TOTP secret, sealed; set once two-factor sign-in is on.
    pub totp_secret: Option<String>,
    /// A secret being set up (shown as a QR code), sealed, until a code from it confirms it.
    pub totp_pending: Option<String>,
    pub totp_enabled_at: Option<i64>,
    /// The last 30-second step a code was accepted for: a code works once.
    pub totp_last_step: Option<i64>,
    /// Mail them when they sign in from a browser they have not used before.
    pub notify_new_sign_in: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
