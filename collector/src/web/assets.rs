//! The asset register's pages: `/inventory` (the register, and its CSV), `/assets/{id}`
//! (one asset: what discovery knows, what people recorded, and the audit of it), and
//! `/inventory/import` (attributes from a CSV or XLSX file, checked before written).

use std::sync::Arc;

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use base64::Engine;
use maud::{html, Markup};
use serde::Deserialize;

use super::duties::{agency_of, agency_select};
use super::format::{bytes, time};
use super::session::{csrf_ok, csrf_refused, encode};
use super::{badge, error_page, not_found, page, see_other, unavailable, Viewer};
use crate::api::assets as api;
use crate::api::query::Params;
use crate::api::AppState;
use crate::assets::import::Plan;
use crate::assets::{Asset, Presence};
use crate::store::asset_attrs::Attributes;

/// Rows of the register on one page.
const PAGE_ROWS: usize = 500;

/// The register's filters.
#[derive(Debug, Default, Deserialize)]
pub struct RegisterForm {
    agency: Option<String>,
    /// `all`, `present`, `not_seen`, `never_seen`.
    status: Option<String>,
    q: Option<String>,
    /// 1-based page of [`PAGE_ROWS`] rows.
    page: Option<String>,
}

/// `id` as one path segment (an asset id holds `/`).
pub fn asset_href(id: &str) -> String {
    let mut out = String::from("/assets/");
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The filtered register for the page and its CSV; Err: the answer to give instead.
async fn filtered(
    app: &Arc<AppState>,
    v: &Viewer,
    q: &RegisterForm,
) -> Result<(Option<String>, Vec<Asset>), Response> {
    let agency = agency_of(v, q.agency.as_deref()).map_err(|()| not_found(v, "agency"))?;
    if let Some(a) = &agency {
        if app.cfg.check_binding(a, None).is_err() {
            return Err(not_found(v, "agency"));
        }
    }
    let status = api::status_filter(q.status.as_deref()).map_err(|_| {
        error_page(
            v,
            StatusCode::BAD_REQUEST,
            "The status filter must be all, present, not_seen or never_seen.",
        )
    })?;
    let text = q.q.as_deref().unwrap_or("").trim().to_lowercase();
    let mut all = api::register(app, &v.user, agency.clone())
        .await
        .map_err(|_| unavailable(v))?;
    all.retain(|a| status.is_none_or(|s| a.status == s) && a.matches(&text));
    Ok((agency, all))
}

fn status_cell(v: &Viewer, a: &Asset) -> Markup {
    html! {
        (badge(&a.status))
        @if a.status == Presence::NotSeen { " since " (time(&v.zone, a.last_seen_seconds)) }
    }
}

/// The name, linked to the host page (a machine with an agent) or the asset page.
fn name_link(a: &Asset) -> Markup {
    let name = if a.name.is_empty() {
        "(no name)"
    } else {
        a.name.as_str()
    };
    let href = match &a.agent_id {
        Some(id) => format!("/hosts/{}", encode(id)),
        None => asset_href(&a.id),
    };
    html! { a href=(href) { (name) } }
}

/// The recorded attributes in one cell, the tag linking to the asset page.
fn recorded_cell(a: &Asset) -> Markup {
    let r = &a.attributes;
    html! {
        a href=(asset_href(&a.id)) { (if r.tag.is_empty() { "details" } else { r.tag.as_str() }) }
        @for (label, value) in [("responsible", r.responsible.clone()), ("location", r.location.clone()), ("procured", r.procurement_year.map_or(String::new(), |y| y.to_string()))] {
            @if !value.is_empty() { br; span.note { (label) ": " } (value) }
        }
    }
}

/// `GET /inventory`: the asset register.
pub async fn inventory(
    v: Viewer,
    State(app): State<Arc<AppState>>,
    Params(q): Params<RegisterForm>,
) -> Response {
    let (agency, rows) = match filtered(&app, &v, &q).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let text = q.q.as_deref().unwrap_or("");
    let status = q.status.as_deref().unwrap_or("all");
    let pages = rows.len().div_ceil(PAGE_ROWS).max(1);
    let page_no = q
        .page
        .as_deref()
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, pages);
    let shown = &rows[(page_no - 1) * PAGE_ROWS..(page_no * PAGE_ROWS).min(rows.len())];
    let query = |page: usize| {
        format!(
            "agency={}&status={}&q={}&page={page}",
            encode(agency.as_deref().unwrap_or("")),
            encode(status),
            encode(text)
        )
    };
    let counts = crate::assets::counts(&rows);
    let can_import = v.user.is_admin() || app.cfg.assets.agency_users_edit;
    let body = html! {
        p { "Every ICT asset (aset TIK) of the agencies, listed once: servers with an agent and the devices their LAN discovery found, matched by MAC address. An asset no longer seen stays, marked “not seen since”. Asset tag, responsible person, location and procurement year are recorded on each asset's page." }
        form.filters method="get" action="/inventory" role="search" {
            (agency_select(&app, &v, agency.as_deref()))
            label for="status" { "Status" }
            select #status name="status" {
                @for (value, label) in [("all", "All"), ("present", "Present"), ("not_seen", "Not seen"), ("never_seen", "Never reported")] {
                    option value=(value) selected[status == value] { (label) }
                }
            }
            label for="q" { "Search" }
            input #q type="search" name="q" value=(text) placeholder="name, address, MAC, serial, tag";
            button type="submit" { "Filter" }
            a.csv href=(format!("/inventory.csv?{}", query(1))) download { "Download CSV" }
            @if can_import { a href="/inventory/import" { "Import attributes" } }
        }
        ul.summary {
            li { strong { (rows.len()) } " assets" }
            @for (p, n) in &counts { li { (badge(p)) " " (n) } }
        }
        @if !text.is_empty() { p.note { "Assets matching “" (text) "”: " (rows.len()) } }
        @if rows.is_empty() {
            p.note { "No asset matches. Assets appear when an agent reports its inventory (enrol one with "
                code { "simpul-collector agent add --agency ID --host NAME" } ") or when an agent's LAN discovery finds devices." }
        } @else {
            @if pages > 1 {
                p.note { "Rows " ((page_no - 1) * PAGE_ROWS + 1) "–" ((page_no - 1) * PAGE_ROWS + shown.len()) " of " (rows.len()) ". "
                    @if page_no > 1 { a href=(format!("/inventory?{}", query(page_no - 1))) { "Previous" } " " }
                    @if page_no < pages { a href=(format!("/inventory?{}", query(page_no + 1))) { "Next" } }
                }
            }
            table.sortable #inventory {
                caption { (rows.len()) " assets" }
                thead { tr {
                    th scope="col" { "Agency" } th scope="col" { "Site" } th scope="col" { "Type" }
                    th scope="col" { "Name" } th scope="col" { "Addresses" }
                    th scope="col" { "Vendor, model, serial" } th scope="col" { "OS and hardware" }
                    th scope="col" { "Recorded" } th scope="col" { "Status" } th scope="col" { "First seen" }
                } }
                tbody { @for a in shown { tr {
                    td { (a.agency) } td { (a.site) } td { (a.kind) }
                    th scope="row" { (name_link(a)) }
                    td { (a.addresses.join(", ")) @if !a.macs.is_empty() { br; span.note { (a.macs.join(", ")) } } }
                    td { (a.vendor) @if !a.model.is_empty() { br; (a.model) } @if !a.serial.is_empty() { br; span.note { "S/N " (a.serial) } } }
                    td { (a.os) @let hw = a.hardware(bytes); @if !hw.is_empty() { br; span.note { (hw) } } }
                    td { (recorded_cell(a)) }
                    td data-sort=(a.last_seen_seconds.unwrap_or(0.0)) { (status_cell(&v, a)) }
                    td data-sort=(a.first_seen_seconds.unwrap_or(0.0)) { (time(&v.zone, a.first_seen_seconds)) }
                } } }
            }
        }
    };
    page(&v, "ICT asset register", "Inventory", body)
}

/// `GET /inventory.csv`: the register as CSV (every row of the filter).
pub async fn inventory_csv(
    v: Viewer,
    State(app): State<Arc<AppState>>,
    Params(q): Params<RegisterForm>,
) -> Response {
    match filtered(&app, &v, &q).await {
        Ok((_, rows)) => crate::api::csv_response(
            "simpul-inventory.csv",
            crate::assets::to_csv(&rows, &v.zone, |a| app.cfg.agency_name(a).to_owned()),
        ),
        Err(r) => r,
    }
}

/// What `/assets/{id}` shows besides the asset.
#[derive(Debug, Default, Deserialize)]
pub struct AssetForm {
    /// After a save: `1`.
    saved: Option<String>,
}

/// `GET /assets/{id}`: one asset.
pub async fn asset(
    v: Viewer,
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
    Params(f): Params<AssetForm>,
) -> Response {
    let a = match api::one(&app, &v.user, &id).await {
        Ok(a) => a,
        Err(e) if e.status == StatusCode::NOT_FOUND => return not_found(&v, "asset"),
        Err(_) => return unavailable(&v),
    };
    let note = f.saved.is_some().then_some("Saved.");
    asset_page(&app, &v, &a, None, note, StatusCode::OK).await
}

async fn asset_page(
    app: &Arc<AppState>,
    v: &Viewer,
    a: &Asset,
    form: Option<(&AttrForm, Vec<String>)>,
    note: Option<&str>,
    status: StatusCode,
) -> Response {
    let Ok(history) = api::history(app, a).await else {
        return unavailable(v);
    };
    let editable = crate::assets::may_edit(&v.user, &a.agency, &app.cfg.assets);
    let r = &a.attributes;
    let year = r.procurement_year.map_or(String::new(), |y| y.to_string());
    // a refused form shows what was typed, not the recorded values
    let (tag, responsible, location, year, notes, problems) = match form {
        Some((f, p)) => (
            f.asset_tag.clone(),
            f.responsible.clone(),
            f.location.clone(),
            f.procurement_year.clone(),
            f.notes.clone(),
            p,
        ),
        None => (
            r.tag.clone(),
            r.responsible.clone(),
            r.location.clone(),
            year,
            r.notes.clone(),
            Vec::new(),
        ),
    };
    let title = format!("Asset: {}", if a.name.is_empty() { &a.id } else { &a.name });
    let latest = crate::assets::latest_procurement_year(crate::now_seconds());
    let body = html! {
        @if let Some(n) = note { p.note role="status" { (n) } }
        dl {
            dt { "Agency" } dd { a href=(format!("/agencies/{}", encode(&a.agency))) { (app.cfg.agency_name(&a.agency)) } " (" (a.agency) ")" }
            dt { "Site" } dd { (a.site) }
            dt { "Type" } dd { (a.kind) }
            dt { "Status" } dd { (status_cell(v, a)) }
            dt { "Seen by" } dd {
                @if let Some(agent) = &a.agent_id { "its agent (" a href=(format!("/hosts/{}", encode(agent))) { "host page" } ")" }
                @if a.agent_id.is_some() && !a.lan_devices.is_empty() { " and " }
                @if !a.lan_devices.is_empty() { "LAN discovery at " @for (i, d) in a.lan_devices.iter().enumerate() {
                    @if i > 0 { ", " }
                    a href=(format!("/lan/{}?site={}", encode(&a.agency), encode(&d.site))) { (d.site) }
                    @if !d.current { " (not in the newest diagram)" }
                } }
            }
            @for (label, value) in [
                ("IP addresses", a.addresses.join(", ")),
                ("MAC addresses", a.macs.join(", ")),
                ("Vendor", a.vendor.clone()),
                ("Model", a.model.clone()),
                ("Serial number", a.serial.clone()),
                ("Operating system", a.os.clone()),
                ("Processor", a.cpu_model.clone()),
                ("Hardware", a.hardware(bytes)),
            ] {
                // what discovery could not learn is left out, not shown blank
                @if !value.is_empty() { dt { (label) } dd { (value) } }
            }
            @if !a.disks.is_empty() {
                dt { "Disks" } dd { @for (i, d) in a.disks.iter().enumerate() { @if i > 0 { br; } (d.name) " " (bytes(d.size_bytes)) " " span.note { (d.model) } } }
            }
            dt { "First seen" } dd { (time(&v.zone, a.first_seen_seconds)) }
            dt { "Last seen" } dd { (time(&v.zone, a.last_seen_seconds)) }
            dt { "Register id" } dd { code { (a.id) } }
        }
        h2 { "Recorded" }
        @if !problems.is_empty() {
            div.error role="alert" { p { "Nothing was saved:" } ul { @for p in &problems { li { (p) } } } }
        }
        @if editable {
            form.record method="post" action=(asset_href(&a.id)) {
                input type="hidden" name="csrf" value=(v.csrf);
                label for="asset_tag" { "Asset tag (kode barang / nomor inventaris)" }
                input #asset_tag name="asset_tag" maxlength="64" value=(tag);
                label for="responsible" { "Responsible person" }
                input #responsible name="responsible" maxlength="120" value=(responsible);
                label for="location" { "Location (building, room, rack)" }
                input #location name="location" maxlength="120" value=(location);
                label for="procurement_year" { "Procurement year" }
                input #procurement_year name="procurement_year" inputmode="numeric" pattern="[0-9]{4}" placeholder=(format!("1970–{latest}")) value=(year);
                label for="notes" { "Notes" }
                textarea #notes name="notes" rows="3" maxlength="2000" { (notes) }
                button type="submit" { "Save" }
            }
        } @else {
            dl {
                dt { "Asset tag" } dd { (r.tag) }
                dt { "Responsible person" } dd { (r.responsible) }
                dt { "Location" } dd { (r.location) }
                dt { "Procurement year" } dd { (r.procurement_year.map_or(String::new(), |y| y.to_string())) }
                dt { "Notes" } dd { (r.notes) }
            }
            p.note { "Only Diskominfo administrators record these." }
        }
        h2 { "Changes" }
        @if history.is_empty() {
            p.note { "Nothing recorded yet." }
        } @else {
            table.sortable #history {
                caption { (history.len()) " changes, newest first" }
                thead { tr { th scope="col" { "When" } th scope="col" { "Who" } th scope="col" { "Field" } th scope="col" { "Old value" } th scope="col" { "New value" } th scope="col" { "Through" } } }
                tbody { @for h in &history { tr {
                    td { (time(&v.zone, Some(h.changed_at_seconds))) } td { (h.changed_by) }
                    td { (h.change.field.replace('_', " ")) } td { (h.change.old_value) } td { (h.change.new_value) }
                    td { (h.via) }
                } } }
            }
        }
    };
    (status, page(v, &title, "Inventory", body)).into_response()
}

/// The form of `/assets/{id}`.
#[derive(Debug, Default, Deserialize)]
pub struct AttrForm {
    csrf: Option<String>,
    #[serde(default)]
    asset_tag: String,
    #[serde(default)]
    responsible: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    procurement_year: String,
    #[serde(default)]
    notes: String,
}

/// `POST /assets/{id}`: record the attributes.
pub async fn asset_save(
    v: Viewer,
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
    Form(f): Form<AttrForm>,
) -> Response {
    if !csrf_ok(&v, f.csrf.as_deref()) {
        return csrf_refused();
    }
    let a = match api::one(&app, &v.user, &id).await {
        Ok(a) => a,
        Err(e) if e.status == StatusCode::NOT_FOUND => return not_found(&v, "asset"),
        Err(_) => return unavailable(&v),
    };
    if !crate::assets::may_edit(&v.user, &a.agency, &app.cfg.assets) {
        return error_page(
            &v,
            StatusCode::FORBIDDEN,
            "Only Diskominfo administrators record asset attributes.",
        );
    }
    let year = f.procurement_year.trim();
    let year = if year.is_empty() {
        Ok(None)
    } else {
        year.parse::<i64>().map(Some).map_err(|_| {
            format!(
                "procurement year: {year:?} is not a year; write it like 2021, or leave it empty"
            )
        })
    };
    let new = match year {
        Ok(y) => Attributes {
            tag: f.asset_tag.clone(),
            responsible: f.responsible.clone(),
            location: f.location.clone(),
            procurement_year: y,
            notes: f.notes.clone(),
        },
        Err(p) => {
            return asset_page(
                &app,
                &v,
                &a,
                Some((&f, vec![p])),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    match api::record(&app, &a, new, &v.user, "web").await {
        Ok(_) => see_other(&format!("{}?saved=1", asset_href(&a.id))),
        Err(e) if e.status.is_client_error() => {
            let mut problems: Vec<String> = e
                .body
                .violations
                .iter()
                .map(|x| format!("{}: {}", x.field.replace('_', " "), x.rule))
                .collect();
            if problems.is_empty() {
                problems.push(e.body.error.clone());
            }
            asset_page(
                &app,
                &v,
                &a,
                Some((&f, problems)),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(_) => unavailable(&v),
    }
}

/// `GET /inventory/import`: the import form.
pub async fn import_form(v: Viewer, State(app): State<Arc<AppState>>) -> Response {
    if !may_import(&app, &v) {
        return import_refused(&v);
    }
    page(
        &v,
        "Import asset attributes",
        "Inventory",
        import_body(&v, None),
    )
}

fn may_import(app: &AppState, v: &Viewer) -> bool {
    v.user.is_admin() || app.cfg.assets.agency_users_edit
}

fn import_refused(v: &Viewer) -> Response {
    error_page(
        v,
        StatusCode::FORBIDDEN,
        "Only Diskominfo administrators import asset attributes.",
    )
}

/// The form, and the plan of the last upload with its apply button.
fn import_body(v: &Viewer, result: Option<(&Plan, bool, &str, Option<&str>)>) -> Markup {
    html! {
        p { "Record asset tags, responsible persons, locations, procurement years and notes for many assets at once, from a CSV file (comma or semicolon separated, UTF-8) or an Excel workbook (.xlsx, its first sheet). Nothing is written until you have seen what would change." }
        details {
            summary { "The file's columns" }
            ul {
                li { "To find each asset (at least one): " code { "mac" } ", " code { "serial" } ", " code { "asset_tag" } " (an asset tag already recorded), or " code { "asset_id" } " (as the register's CSV has it)." }
                li { "To record: " code { "asset_tag" } " (kode_barang), " code { "responsible" } " (penanggung_jawab), " code { "location" } " (lokasi), " code { "procurement_year" } " (tahun_pengadaan), " code { "notes" } " (catatan)." }
                li { "An empty cell leaves the value as it is; " code { "-" } " clears it. A file with any bad row changes nothing, and each bad row is named by its line." }
                li { "The register's own CSV (" a href="/inventory.csv" { "download" } ") can be edited and imported back." }
            }
        }
        form.filters method="post" action="/inventory/import" enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(v.csrf);
            label for="file" { "File" }
            input #file type="file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required;
            button type="submit" name="action" value="check" { "Check (nothing is written)" }
        }
        @if let Some((plan, applied, content, warning)) = result {
            @if let Some(w) = warning { p.error role="alert" { (w) } }
            @if applied {
                p role="status" { strong { "Imported: " } (plan.changes.len()) " assets changed, " (plan.unchanged) " already as in the file." }
            } @else if !plan.errors.is_empty() {
                div.error role="alert" {
                    p { (plan.errors.len()) " bad row(s): nothing will be imported. Correct the file and check it again." }
                    ul { @for e in &plan.errors { li { @if e.line > 0 { "Line " (e.line) ": " } (e.message) } } }
                }
            } @else {
                p role="status" { (plan.rows) " rows read: " (plan.changes.len()) " assets would change, " (plan.unchanged) " are already as in the file." }
            }
            @if !plan.changes.is_empty() {
                table.sortable #import-plan {
                    caption { @if applied { "What changed" } @else { "What would change" } }
                    thead { tr { th scope="col" { "Line" } th scope="col" { "Asset" } th scope="col" { "Field" } th scope="col" { "Old value" } th scope="col" { "New value" } } }
                    tbody { @for c in &plan.changes { @for x in &c.changes { tr {
                        td { (c.line) }
                        th scope="row" { a href=(asset_href(&c.asset_id)) { (if c.name.is_empty() { c.asset_id.as_str() } else { c.name.as_str() }) } " " span.note { (c.agency) } }
                        td { (x.field.replace('_', " ")) } td { (x.old_value) } td { (x.new_value) }
                    } } } }
                }
            }
            @if !applied && plan.errors.is_empty() && !plan.changes.is_empty() {
                form method="post" action="/inventory/import" enctype="multipart/form-data" {
                    input type="hidden" name="csrf" value=(v.csrf);
                    input type="hidden" name="content" value=(content);
                    input type="hidden" name="digest" value=(plan.digest);
                    button type="submit" name="action" value="apply" { "Import these " (plan.changes.len()) " changes" }
                }
            }
        }
    }
}

/// `POST /inventory/import`: check an uploaded file, or apply a checked one.
pub async fn import_post(
    v: Viewer,
    State(app): State<Arc<AppState>>,
    mut mp: Multipart,
) -> Response {
    let (mut csrf, mut file, mut content, mut digest, mut action) = (
        None,
        Vec::new(),
        String::new(),
        String::new(),
        String::new(),
    );
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return error_page(
                    &v,
                    e.status(),
                    &format!("The upload could not be read: {}", e.body_text()),
                );
            }
        };
        let name = field.name().unwrap_or("").to_owned();
        let Ok(data) = field.bytes().await else {
            return error_page(
                &v,
                StatusCode::BAD_REQUEST,
                "The upload could not be read; try again.",
            );
        };
        let text = || String::from_utf8_lossy(&data).into_owned();
        match name.as_str() {
            "csrf" => csrf = Some(text()),
            "file" => file = data.to_vec(),
            "content" => content = text(),
            "digest" => digest = text(),
            "action" => action = text(),
            _ => {}
        }
    }
    if !csrf_ok(&v, csrf.as_deref()) {
        return csrf_refused();
    }
    if !may_import(&app, &v) {
        return import_refused(&v);
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    let apply = action == "apply";
    let bytes = if apply {
        match b64.decode(content.as_bytes()) {
            Ok(b) => b,
            Err(_) => {
                return error_page(
                    &v,
                    StatusCode::BAD_REQUEST,
                    "The checked file did not come back intact; upload it again.",
                )
            }
        }
    } else {
        file
    };
    if bytes.is_empty() {
        let plan = crate::assets::import::plan(
            &crate::assets::import::Table { rows: Vec::new() },
            &[],
            0.0,
        );
        return page(
            &v,
            "Import asset attributes",
            "Inventory",
            import_body(&v, Some((&plan, false, "", None))),
        );
    }
    let encoded = b64.encode(&bytes);
    // check first; apply only what the check showed
    let checked = match api::import_file(&app, &v.user, bytes.clone(), true).await {
        Ok(i) => i,
        Err(_) => return unavailable(&v),
    };
    let (plan, applied, warning) = if apply && checked.plan.digest != digest {
        let w = "The register changed since this file was checked: here is what it would change now. Check the changes and import again.";
        (checked.plan, false, Some(w.to_owned()))
    } else if apply {
        match api::import_file(&app, &v.user, bytes, false).await {
            Ok(i) => (i.plan, i.applied, None),
            Err(e) if e.status.is_client_error() => (checked.plan, false, Some(e.body.error)),
            Err(_) => return unavailable(&v),
        }
    } else {
        (checked.plan, false, None)
    };
    let status = if plan.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (
        status,
        page(
            &v,
            "Import asset attributes",
            "Inventory",
            import_body(&v, Some((&plan, applied, &encoded, warning.as_deref()))),
        ),
    )
        .into_response()
}
