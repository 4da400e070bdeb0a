use sea_orm::entity::prelude::*;

/// An application's logo, shown on its connect links' page.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "app_logos")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub app_id: Uuid,
    /// `image/png`, `image/jpeg` or `image/webp`, read from the bytes themselves.
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
