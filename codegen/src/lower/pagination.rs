//! Lowering stage, pagination: a `@paginated` operation's token and item
//! paths, resolved to Rust fields and checked against the model.

use super::*;
use crate::ast::ShapeKind;

impl Lowering<'_> {
    pub(super) fn paginator(
        &mut self,
        op: &str,
        p: &traits::PaginatedTrait,
        shape: &AstShape,
    ) -> Option<Paginator> {
        let model = self.model;
        let exists = |r: &Option<crate::ast::AstRef>| {
            r.as_ref()
                .filter(|r| model.shape(&r.target).is_some())
                .map(|r| r.target.clone())
        };
        let (Some(input_id), Some(output_id)) = (exists(&shape.input), exists(&shape.output))
        else {
            self.diags.push(Diagnostic::shape(
                op,
                "is paginated but has no input or no output structure",
            ));
            return None;
        };
        let (Some(input_token), Some(output_token)) = (&p.input_token, &p.output_token) else {
            self.diags.push(Diagnostic::shape(op, "smithy.api#paginated needs inputToken and outputToken (on the operation or the service)"));
            return None;
        };
        let input = model.shape(&input_id)?;
        let input_id = &input_id;
        let output_id = &output_id;
        let input_member =
            |name: &str, kinds: &[ShapeKind], what: &str, this: &mut Self| -> Option<String> {
                let found = input.members.iter().find(|(n, _)| n == name);
                match found.and_then(|(_, m)| this.model.shape(&m.target)) {
                    Some(t) if kinds.contains(&t.kind) => {
                        Some(this.names.member(input_id, name).field)
                    }
                    Some(t) => {
                        this.diags.push(Diagnostic::shape(
                            op,
                            format!(
                                "paginated {what} `{name}` must be a {} input member, not a {}",
                                kinds
                                    .iter()
                                    .map(ShapeKind::as_str)
                                    .collect::<Vec<_>>()
                                    .join(" or "),
                                t.kind
                            ),
                        ));
                        None
                    }
                    None => {
                        this.diags.push(Diagnostic::shape(
                            op,
                            format!("paginated {what} `{name}` is not a member of the input"),
                        ));
                        None
                    }
                }
            };
        // Smithy allows a map token (DynamoDB's `ExclusiveStartKey`); the
        // paginators here carry string tokens, so such an operation is
        // generated without one, and says so.
        let token_is_map = input
            .members
            .iter()
            .find(|(n, _)| n == input_token)
            .and_then(|(_, m)| model.shape(&m.target))
            .is_some_and(|t| t.kind == crate::ast::ShapeKind::Map);
        if token_is_map {
            self.names.notes.push(
                Diagnostic::shape(
                    op,
                    format!(
                        "has no paginator: its inputToken `{input_token}` is a map, and paginators \
                         carry string tokens; send the output's `{output_token}` back as \
                         `{input_token}` to fetch the next page"
                    ),
                )
                .note(),
            );
            return None;
        }
        let input_token = input_member(input_token, &[ShapeKind::String], "inputToken", self);
        let page_size = match &p.page_size {
            Some(ps) => Some(input_member(
                ps,
                &[
                    ShapeKind::Byte,
                    ShapeKind::Short,
                    ShapeKind::Integer,
                    ShapeKind::Long,
                ],
                "pageSize",
                self,
            )?),
            None => None,
        };
        let output_token = self
            .output_path(
                op,
                output_id,
                output_token,
                "outputToken",
                &[ShapeKind::String],
            )
            .map(|(p, _)| p);
        let items = match &p.items {
            Some(items) => {
                let (path, target) = self.output_path(
                    op,
                    output_id,
                    items,
                    "items",
                    &[ShapeKind::List, ShapeKind::Set, ShapeKind::Map],
                )?;
                let collection = self.type_ref(&target, &Traits::default(), false)?;
                Some((path, collection))
            }
            None => None,
        };
        Some(Paginator {
            input_token: input_token?,
            output_token: output_token?,
            items,
            page_size,
        })
    }

    /// Follows a dotted member path through the output structures.
    pub(super) fn output_path(
        &mut self,
        op: &str,
        output: &str,
        path: &str,
        what: &str,
        kinds: &[ShapeKind],
    ) -> Option<(Vec<String>, String)> {
        let mut shape_id = output.to_string();
        let mut shape = self.model.shape(output)?;
        let mut fields = Vec::new();
        let parts: Vec<&str> = path.split('.').collect();
        for (i, part) in parts.iter().enumerate() {
            let Some((_, m)) = shape.members.iter().find(|(n, _)| n == part) else {
                self.diags.push(Diagnostic::shape(
                    op,
                    format!(
                        "paginated {what} `{path}`: `{part}` is not a member of the output path"
                    ),
                ));
                return None;
            };
            fields.push(self.names.member(&shape_id, part).field);
            let target = self.model.shape(&m.target)?;
            if i + 1 == parts.len() {
                if !kinds.contains(&target.kind) {
                    self.diags.push(Diagnostic::shape(
                        op,
                        format!(
                            "paginated {what} `{path}` must be a {}, not a {}",
                            kinds
                                .iter()
                                .map(ShapeKind::as_str)
                                .collect::<Vec<_>>()
                                .join(" or "),
                            target.kind
                        ),
                    ));
                    return None;
                }
                return Some((fields, m.target.clone()));
            }
            if target.kind != crate::ast::ShapeKind::Structure {
                self.diags.push(Diagnostic::shape(
                    op,
                    format!("paginated {what} `{path}`: `{part}` is not a structure"),
                ));
                return None;
            }
            shape_id = m.target.clone();
            shape = target;
        }
        None
    }
}
