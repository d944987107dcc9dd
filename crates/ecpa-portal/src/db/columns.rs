//! Reading a column by name from a row of either driver: sqlx's `Any` rows and the rows
//! of the SQLite connections read on the calling thread (`direct`).

use rusqlite::types::FromSql;
use sqlx::any::{Any, AnyRow};
use sqlx::{Decode, Row, Type};

use crate::PortalError;

/// A value both drivers can read from a column: text, integers, their `Option`s.
pub(super) trait ColumnValue: for<'r> Decode<'r, Any> + Type<Any> + FromSql {}

impl<T> ColumnValue for T where T: for<'r> Decode<'r, Any> + Type<Any> + FromSql {}

/// A row whose columns are read by name.
pub(super) trait Columns {
    fn column<T: ColumnValue>(&self, name: &str) -> Result<T, PortalError>;
}

impl Columns for AnyRow {
    fn column<T: ColumnValue>(&self, name: &str) -> Result<T, PortalError> {
        Ok(self.try_get(name)?)
    }
}

impl Columns for rusqlite::Row<'_> {
    fn column<T: ColumnValue>(&self, name: &str) -> Result<T, PortalError> {
        Ok(self.get(name)?)
    }
}
