//! `text_enum!`: enums stored as TEXT with a CHECK constraint in the database.
//!
//! Each variant has one spelling shared by the SQL CHECK, `Display`, `FromStr` and serde, so a
//! value read back from either backend maps onto exactly one variant or is a loud error.

/// Declares an enum stored as text. `FromStr` errors name the accepted spellings.
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored spelling.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// Reads a stored value; a value outside the CHECK list is a corrupt row.
            pub fn from_db(value: &str) -> Result<Self, diesel::result::Error> {
                value.parse().map_err(|e: String| {
                    diesel::result::Error::DeserializationError(e.into())
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(
                        "`{}` is not a valid {} (expected one of: {})",
                        other,
                        stringify!($name),
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}
