//! Uploaded files: storing multipart uploads and resolving a body's `attachments` array.

use serde_json::Value;

use super::messages::Upload;
use super::World;
use crate::sim::model::{Attachment, StoredFile};

/// Discord replaces whitespace in uploaded filenames.
fn sanitize_filename(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_whitespace() || c == '/' {
                '_'
            } else {
                c
            }
        })
        .collect()
}

impl World {
    pub(crate) fn store_upload(
        &mut self,
        channel: u64,
        up: Upload,
        meta: Option<&Value>,
    ) -> Attachment {
        let id = self.ids.next();
        let filename = sanitize_filename(
            meta.and_then(|m| m.get("filename"))
                .and_then(Value::as_str)
                .unwrap_or(&up.filename),
        );
        let url = self.attachment_url(channel, id, &filename);
        let size = up.data.len() as u64;
        self.files.insert(
            id,
            StoredFile {
                filename: filename.clone(),
                content_type: up.content_type.clone(),
                data: up.data,
            },
        );
        Attachment {
            id,
            filename,
            size,
            content_type: up.content_type,
            url,
            description: meta
                .and_then(|m| m.get("description"))
                .and_then(Value::as_str)
                .map(str::to_owned),
        }
    }

    /// Resolves the `attachments` array of a create/edit body against uploads and the
    /// message's existing attachments.
    pub(crate) fn build_attachments(
        &mut self,
        channel: u64,
        existing: &[Attachment],
        listed: Option<&Vec<Value>>,
        mut uploads: Vec<Upload>,
    ) -> Vec<Attachment> {
        let mut out = Vec::new();
        match listed {
            None => out.extend_from_slice(existing),
            Some(list) => {
                for entry in list {
                    let id = match entry.get("id") {
                        Some(Value::String(s)) => s.parse::<u64>().ok(),
                        Some(v) => v.as_u64(),
                        None => None,
                    };
                    let Some(id) = id else { continue };
                    if let Some(pos) = uploads.iter().position(|u| u.index == id) {
                        let up = uploads.remove(pos);
                        out.push(self.store_upload(channel, up, Some(entry)));
                    } else if let Some(a) = existing.iter().find(|a| a.id == id) {
                        out.push(a.clone());
                    }
                }
            }
        }
        for up in uploads {
            out.push(self.store_upload(channel, up, None));
        }
        out
    }
}
