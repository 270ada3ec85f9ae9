//! The asset register's pages: `/inventory` (the register, and its CSV), `/assets/{id}`
//! (one asset: what discovery knows, what people recorded, and the audit of it), and
//! `/inventory/import` (attributes from a CSV or XLSX file, checked before written).

use std::sync::Arc;

use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use base64::Engine;
use maud::{html, Markup};
use serde::Deserialize;

use super::duties::{agency_of, agency_select};
use super::session::{csrf_ok, csrf_refused, encode};
use super::{error_page, not_found, page, see_other, unavailable, word_badge, Tone, Viewer};
use crate::api::assets as api;
use crate::api::query::Params;
use crate::api::AppState;
use crate::assets::import::Plan;
use crate::assets::{Asset, Presence};
use crate::i18n::{t, Lang};
use crate::store::asset_attrs::Attributes;
use crate::tr;

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
    let status = api::status_filter(q.status.as_deref())
        .map_err(|_| error_page(v, StatusCode::BAD_REQUEST, &t(v.lang, "assets-bad-status")))?;
    let text = q.q.as_deref().unwrap_or("").trim().to_lowercase();
    let mut all = api::register(app, &v.user, agency.clone())
        .await
        .map_err(|_| unavailable(v))?;
    all.retain(|a| status.is_none_or(|s| a.status == s) && a.matches(&text));
    Ok((agency, all))
}

/// A presence as a badge in the page's language (the same colours as the states').
fn presence_badge(l: Lang, p: Presence) -> Markup {
    let (key, tone) = match p {
        Presence::Present => ("assets-present", Tone::Good),
        Presence::NotSeen => ("assets-not-seen", Tone::Warn),
        Presence::NeverSeen => ("assets-never-seen", Tone::None),
    };
    word_badge(&t(l, key), tone)
}

fn status_cell(v: &Viewer, a: &Asset) -> Markup {
    html! {
        (presence_badge(v.lang, a.status))
        @if a.status == Presence::NotSeen { " " (tr!(v.lang, "assets-since", time = v.time(a.last_seen_seconds))) }
    }
}

/// The name, linked to the host page (a machine with an agent) or the asset page.
fn name_link(l: Lang, a: &Asset) -> Markup {
    let name = if a.name.is_empty() {
        t(l, "assets-no-name")
    } else {
        a.name.clone()
    };
    let href = match &a.agent_id {
        Some(id) => format!("/hosts/{}", encode(id)),
        None => asset_href(&a.id),
    };
    html! { a href=(href) { (name) } }
}

/// "8 cores / 16 threads · 32,0 GiB RAM · 1 disk, 1,7 TiB" in `l` (empty when unknown).
fn hardware(l: Lang, a: &Asset) -> String {
    let mut parts = Vec::new();
    match (a.cpu_cores.unwrap_or(0), a.cpu_threads.unwrap_or(0)) {
        (0, 0) => {}
        (c, t) if c > 0 && t > c => {
            parts.push(tr!(l, "assets-hw-cores-threads", cores = c, threads = t))
        }
        (c, _) if c > 0 => parts.push(tr!(l, "assets-hw-cores", cores = c)),
        (_, t) => parts.push(tr!(l, "assets-hw-threads", threads = t)),
    }
    if let Some(m) = a.memory_bytes.filter(|m| *m > 0) {
        parts.push(tr!(l, "assets-hw-ram", size = crate::i18n::bytes(l, m)));
    }
    if !a.disks.is_empty() {
        let total: u64 = a.disks.iter().map(|d| d.size_bytes).sum();
        parts.push(tr!(
            l,
            "assets-hw-disks",
            count = a.disks.len(),
            size = crate::i18n::bytes(l, total)
        ));
    }
    parts.join(" · ")
}

/// The recorded attributes in one cell, the tag linking to the asset page.
fn recorded_cell(l: Lang, a: &Asset) -> Markup {
    let r = &a.attributes;
    html! {
        a href=(asset_href(&a.id)) { (if r.tag.is_empty() { t(l, "assets-details") } else { r.tag.clone() }) }
        @for (key, value) in [("assets-responsible-short", r.responsible.clone()), ("assets-location-short", r.location.clone()), ("assets-procured-short", r.procurement_year.map_or(String::new(), |y| y.to_string()))] {
            @if !value.is_empty() { br; span.note { (t(l, key)) ": " } (value) }
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
    let l = v.lang;
    let body = html! {
        p { (t(l, "assets-intro")) }
        form.filters method="get" action="/inventory" role="search" {
            (agency_select(&app, &v, agency.as_deref()))
            label for="status" { (t(l, "assets-status")) }
            select #status name="status" {
                @for (value, key) in [("all", "assets-filter-all"), ("present", "assets-filter-present"), ("not_seen", "assets-filter-not-seen"), ("never_seen", "assets-filter-never-seen")] {
                    option value=(value) selected[status == value] { (t(l, key)) }
                }
            }
            label for="q" { (t(l, "assets-search")) }
            input #q type="search" name="q" value=(text) placeholder=(t(l, "assets-search-hint"));
            button type="submit" { (t(l, "assets-filter")) }
            a.csv href=(format!("/inventory.csv?{}", query(1))) download { (t(l, "assets-download-csv")) }
            @if can_import { a href="/inventory/import" { (t(l, "assets-import-link")) } }
            a href="/inventory/software" { (t(l, "software-search-title")) }
        }
        ul.summary {
            li { strong { (crate::i18n::number(l, rows.len() as f64, 0)) } " " (tr!(l, "assets-noun", count = rows.len())) }
            @for (p, n) in &counts { li { (presence_badge(l, *p)) " " (crate::i18n::number(l, *n as f64, 0)) } }
        }
        @if !text.is_empty() { p.note { (tr!(l, "assets-matching", text = text, count = rows.len())) } }
        @if rows.is_empty() {
            p.note { (t(l, "assets-empty")) " " code { "simpul-collector agent add --agency ID --host NAME" } }
        } @else {
            @if pages > 1 {
                p.note { (tr!(l, "assets-rows", first = (page_no - 1) * PAGE_ROWS + 1, last = (page_no - 1) * PAGE_ROWS + shown.len(), count = rows.len())) " "
                    @if page_no > 1 { a href=(format!("/inventory?{}", query(page_no - 1))) { (t(l, "assets-previous")) } " " }
                    @if page_no < pages { a href=(format!("/inventory?{}", query(page_no + 1))) { (t(l, "assets-next")) } }
                }
            }
            table.sortable #inventory {
                caption { (tr!(l, "assets-count", count = rows.len())) }
                thead { tr {
                    @for key in ["assets-col-agency", "assets-col-site", "assets-col-type", "assets-col-name", "assets-col-addresses", "assets-col-hardware-id", "assets-col-os", "assets-col-recorded", "assets-col-status", "assets-col-first-seen"] {
                        th scope="col" { (t(l, key)) }
                    }
                } }
                tbody { @for a in shown { tr {
                    td { (a.agency) } td { (a.site) } td { (crate::i18n::kind_word(v.lang, &a.kind)) }
                    th scope="row" { (name_link(l, a)) }
                    td { (a.addresses.join(", ")) @if !a.macs.is_empty() { br; span.note { (a.macs.join(", ")) } } }
                    td { (a.vendor) @if !a.model.is_empty() { br; (a.model) } @if !a.serial.is_empty() { br; span.note { (tr!(l, "assets-serial-short", serial = a.serial.as_str())) } } }
                    td { (a.os) @let hw = hardware(l, a); @if !hw.is_empty() { br; span.note { (hw) } } }
                    td { (recorded_cell(l, a)) }
                    td data-sort=(a.last_seen_seconds.unwrap_or(0.0)) { (status_cell(&v, a)) }
                    td data-sort=(a.first_seen_seconds.unwrap_or(0.0)) { (v.time(a.first_seen_seconds)) }
                } } }
            }
        }
    };
    page(&v, &t(l, "assets-title"), "Inventory", body)
}

/// `GET /inventory.csv`: the register as CSV (every row of the filter).
pub async fn inventory_csv(
    v: Viewer,
    State(app): State<Arc<AppState>>,
    Params(q): Params<RegisterForm>,
    RawQuery(raw): RawQuery,
) -> Response {
    let rows = match filtered(&app, &v, &q).await {
        Ok((_, rows)) => rows,
        Err(r) => return r,
    };
    let Ok(software) = api::software_by_agent(&app).await else {
        return unavailable(&v);
    };
    super::csv_download(
        &v,
        raw.as_deref(),
        "simpul-inventory.csv",
        crate::assets::to_csv_in(
            &rows,
            &v.zone,
            |a| app.cfg.agency_name(a).to_owned(),
            &software,
            v.lang,
        ),
    )
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
    let saved = t(v.lang, "asset-saved");
    let note = f.saved.is_some().then_some(saved.as_str());
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
    let l = v.lang;
    let title = tr!(
        l,
        "asset-title",
        name = if a.name.is_empty() {
            a.id.as_str()
        } else {
            a.name.as_str()
        }
    );
    let latest = crate::assets::latest_procurement_year(crate::now_seconds());
    let body = html! {
        @if let Some(n) = note { p.note role="status" { (n) } }
        dl {
            dt { (t(l, "assets-col-agency")) } dd { a href=(format!("/agencies/{}", encode(&a.agency))) { (app.cfg.agency_name(&a.agency)) } " (" (a.agency) ")" }
            dt { (t(l, "assets-col-site")) } dd { (a.site) }
            dt { (t(l, "assets-col-type")) } dd { (crate::i18n::kind_word(l, &a.kind)) }
            dt { (t(l, "assets-col-status")) } dd { (status_cell(v, a)) }
            dt { (t(l, "asset-seen-by")) } dd {
                @if let Some(agent) = &a.agent_id {
                    (t(l, if a.status == Presence::NeverSeen { "asset-agent-never" } else { "asset-its-agent" }))
                    " (" a href=(format!("/hosts/{}", encode(agent))) { (t(l, "asset-host-page")) } ")"
                }
                @if a.agent_id.is_some() && !a.lan_devices.is_empty() { " " (t(l, "asset-and")) " " }
                @if !a.lan_devices.is_empty() { (t(l, "asset-lan-discovery-at")) " " @for (i, d) in a.lan_devices.iter().enumerate() {
                    @if i > 0 { ", " }
                    a href=(format!("/lan/{}?site={}", encode(&a.agency), encode(&d.site))) { (d.site) }
                    @if !d.current { " (" (t(l, "asset-not-in-newest")) ")" }
                } }
            }
            @for (key, value) in [
                ("asset-ip-addresses", a.addresses.join(", ")),
                ("asset-mac-addresses", a.macs.join(", ")),
                ("asset-vendor", a.vendor.clone()),
                ("asset-model", a.model.clone()),
                ("asset-serial", a.serial.clone()),
                ("asset-os", a.os.clone()),
                ("asset-processor", a.cpu_model.clone()),
                ("asset-hardware", hardware(l, a)),
            ] {
                // what discovery could not learn is left out, not shown blank
                @if !value.is_empty() { dt { (t(l, key)) } dd { (value) } }
            }
            @if !a.disks.is_empty() {
                dt { (t(l, "asset-disks")) } dd { @for (i, d) in a.disks.iter().enumerate() { @if i > 0 { br; } (d.name) " " (crate::i18n::bytes(l, d.size_bytes)) " " span.note { (d.model) } } }
            }
            dt { (t(l, "assets-col-first-seen")) } dd { (v.time(a.first_seen_seconds)) }
            dt { (t(l, "asset-last-seen")) } dd { (v.time(a.last_seen_seconds)) }
            dt { (t(l, "asset-register-id")) } dd { code { (a.id) } }
        }
        h2 { (t(l, "asset-recorded")) }
        @if !problems.is_empty() {
            div.error role="alert" { p { (t(l, "asset-nothing-saved")) } ul { @for p in &problems { li { (p) } } } }
        }
        @if editable {
            form.record method="post" action=(asset_href(&a.id)) {
                input type="hidden" name="csrf" value=(v.csrf);
                label for="asset_tag" { (t(l, "asset-tag-label")) }
                input #asset_tag name="asset_tag" maxlength="64" value=(tag);
                label for="responsible" { (t(l, "asset-responsible")) }
                input #responsible name="responsible" maxlength="120" value=(responsible);
                label for="location" { (t(l, "asset-location-label")) }
                input #location name="location" maxlength="120" value=(location);
                label for="procurement_year" { (t(l, "asset-procurement-year")) }
                input #procurement_year name="procurement_year" inputmode="numeric" pattern="[0-9]{4}" placeholder=(format!("1970–{latest}")) value=(year);
                label for="notes" { (t(l, "asset-notes")) }
                textarea #notes name="notes" rows="3" maxlength="2000" { (notes) }
                button type="submit" { (t(l, "asset-save")) }
            }
        } @else {
            dl {
                dt { (t(l, "asset-tag")) } dd { (r.tag) }
                dt { (t(l, "asset-responsible")) } dd { (r.responsible) }
                dt { (t(l, "asset-location")) } dd { (r.location) }
                dt { (t(l, "asset-procurement-year")) } dd { (r.procurement_year.map_or(String::new(), |y| y.to_string())) }
                dt { (t(l, "asset-notes")) } dd { (r.notes) }
            }
            p.note { (t(l, "asset-only-admins")) }
        }
        h2 { (t(l, "asset-changes")) }
        @if history.is_empty() {
            p.note { (t(l, "asset-nothing-recorded")) }
        } @else {
            table.sortable #history {
                caption { (tr!(l, "asset-changes-count", count = history.len())) }
                thead { tr { @for key in ["asset-col-when", "asset-col-who", "asset-col-field", "asset-col-old", "asset-col-new", "asset-col-via"] { th scope="col" { (t(l, key)) } } } }
                tbody { @for h in &history { tr {
                    td { (v.time(Some(h.changed_at_seconds))) } td { (h.changed_by) }
                    td { (field_name(l, &h.change.field)) } td { (h.change.old_value) } td { (h.change.new_value) }
                    td { (via_name(l, &h.via)) }
                } } }
            }
        }
    };
    (status, page(v, &title, "Inventory", body)).into_response()
}

/// A recorded field's name in `l`.
fn field_name(l: Lang, field: &str) -> String {
    match field {
        "asset_tag" => t(l, "asset-tag"),
        "responsible" => t(l, "asset-responsible"),
        "location" => t(l, "asset-location"),
        "procurement_year" => t(l, "asset-procurement-year"),
        "notes" => t(l, "asset-notes"),
        other => other.replace('_', " "),
    }
}

/// Through what a change came, in `l`.
fn via_name(l: Lang, via: &str) -> String {
    match via {
        "web" => t(l, "asset-via-web"),
        "api" => t(l, "asset-via-api"),
        "import" => t(l, "asset-via-import"),
        other => other.to_owned(),
    }
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
        return csrf_refused(&v);
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
            &t(v.lang, "asset-only-admins-record"),
        );
    }
    let year = f.procurement_year.trim();
    let year = if year.is_empty() {
        Ok(None)
    } else {
        year.parse::<i64>()
            .map(Some)
            .map_err(|_| tr!(v.lang, "asset-bad-year", value = year))
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
        &t(v.lang, "import-title"),
        "Inventory",
        import_body(&v, None),
    )
}

fn may_import(app: &AppState, v: &Viewer) -> bool {
    v.user.is_admin() || app.cfg.assets.agency_users_edit
}

fn import_refused(v: &Viewer) -> Response {
    error_page(v, StatusCode::FORBIDDEN, &t(v.lang, "import-only-admins"))
}

/// The form, and the plan of the last upload with its apply button.
fn import_body(v: &Viewer, result: Option<(&Plan, bool, &str, Option<&str>)>) -> Markup {
    let l = v.lang;
    html! {
        p { (t(l, "import-intro")) }
        details {
            summary { (t(l, "import-columns")) }
            ul {
                li { (t(l, "import-columns-find")) " " code { "mac" } ", " code { "serial" } ", " code { "asset_tag" } ", " code { "asset_id" } }
                li { (t(l, "import-columns-record")) " " code { "asset_tag" } " (kode_barang), " code { "responsible" } " (penanggung_jawab), " code { "location" } " (lokasi), " code { "procurement_year" } " (tahun_pengadaan), " code { "notes" } " (catatan)" }
                li { (t(l, "import-columns-cells")) }
                li { (t(l, "import-columns-export")) " " a href="/inventory.csv" { "/inventory.csv" } }
            }
        }
        form.filters method="post" action="/inventory/import" enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(v.csrf);
            label for="file" { (t(l, "import-file")) }
            input #file type="file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required;
            button type="submit" name="action" value="check" { (t(l, "import-check")) }
        }
        @if let Some((plan, applied, content, warning)) = result {
            @if let Some(w) = warning { p.error role="alert" { (w) } }
            @if applied {
                p role="status" { strong { (tr!(l, "import-done", changed = plan.changes.len(), unchanged = plan.unchanged)) } }
            } @else if !plan.errors.is_empty() {
                div.error role="alert" {
                    p { (tr!(l, "import-bad-rows", count = plan.errors.len())) }
                    ul { @for e in &plan.errors { li { @if e.line > 0 { (tr!(l, "import-line", line = e.line)) ": " } (e.message) } } }
                }
            } @else {
                p role="status" { (tr!(l, "import-would", rows = plan.rows, changed = plan.changes.len(), unchanged = plan.unchanged)) }
            }
            @if !plan.changes.is_empty() {
                table.sortable #import-plan {
                    caption { @if applied { (t(l, "import-what-changed")) } @else { (t(l, "import-what-would-change")) } }
                    thead { tr { @for key in ["import-col-line", "import-col-asset", "asset-col-field", "asset-col-old", "asset-col-new"] { th scope="col" { (t(l, key)) } } } }
                    tbody { @for c in &plan.changes { @for x in &c.changes { tr {
                        td { (c.line) }
                        th scope="row" { a href=(asset_href(&c.asset_id)) { (if c.name.is_empty() { c.asset_id.as_str() } else { c.name.as_str() }) } " " span.note { (c.agency) } }
                        td { (field_name(l, &x.field)) } td { (x.old_value) } td { (x.new_value) }
                    } } } }
                }
            }
            @if !applied && plan.errors.is_empty() && !plan.changes.is_empty() {
                form method="post" action="/inventory/import" enctype="multipart/form-data" {
                    input type="hidden" name="csrf" value=(v.csrf);
                    input type="hidden" name="content" value=(content);
                    input type="hidden" name="digest" value=(plan.digest);
                    button type="submit" name="action" value="apply" { (tr!(l, "import-apply", count = plan.changes.iter().map(|c| c.changes.len()).sum::<usize>())) }
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
                    &tr!(v.lang, "import-unreadable-detail", detail = e.body_text()),
                );
            }
        };
        let name = field.name().unwrap_or("").to_owned();
        let Ok(data) = field.bytes().await else {
            return error_page(&v, StatusCode::BAD_REQUEST, &t(v.lang, "import-unreadable"));
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
        return csrf_refused(&v);
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
                return error_page(&v, StatusCode::BAD_REQUEST, &t(v.lang, "import-not-intact"))
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
            &t(v.lang, "import-title"),
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
        let w = t(v.lang, "import-changed-meanwhile");
        (checked.plan, false, Some(w))
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
            &t(v.lang, "import-title"),
            "Inventory",
            import_body(&v, Some((&plan, applied, &encoded, warning.as_deref()))),
        ),
    )
        .into_response()
}
