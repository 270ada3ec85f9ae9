# The asset register's pages (web/assets.rs).

assets-title = ICT asset register
assets-intro = Every ICT asset of the agencies, listed once: servers with an agent and the devices their LAN discovery found, matched by MAC address. An asset no longer seen stays, marked “not seen since”. Asset tag, responsible person, location and procurement year are recorded on each asset's page.
assets-status = Status
assets-filter-all = All
assets-filter-present = Present
assets-filter-not-seen = Not seen
assets-filter-never-seen = Never reported
assets-search = Search
assets-search-hint = name, IP, MAC, tag
assets-filter = Filter
assets-download-csv = Download CSV
assets-import-link = Import attributes
assets-bad-status = The status filter must be all, present, not_seen or never_seen.
assets-present = present
assets-not-seen = not seen
assets-never-seen = never reported
assets-since = since { $time }
assets-no-name = (no name)
assets-details = details
assets-responsible-short = responsible
assets-location-short = location
assets-procured-short = procured
assets-noun = { $count ->
    [one] asset
   *[other] assets
}
assets-count = { $count ->
    [one] { $count } asset
   *[other] { $count } assets
}
assets-matching = Assets matching “{ $text }”: { $count }
assets-empty = No asset matches. Assets appear when an agent reports its inventory, or when an agent's LAN discovery finds devices. To enrol the first agent:
assets-rows = Rows { $first }–{ $last } of { $count }.
assets-previous = Previous
assets-next = Next
assets-col-agency = Agency
assets-col-site = Site
assets-col-type = Type
assets-col-name = Name
assets-col-addresses = Addresses
assets-col-hardware-id = Vendor, model, serial
assets-col-os = OS and hardware
assets-col-recorded = Recorded
assets-col-status = Status
assets-col-first-seen = First seen
assets-serial-short = S/N { $serial }
assets-hw-cores-threads = { $cores } cores / { $threads } threads
assets-hw-cores = { $cores ->
    [one] { $cores } core
   *[other] { $cores } cores
}
assets-hw-threads = { $threads ->
    [one] { $threads } thread
   *[other] { $threads } threads
}
assets-hw-ram = { $size } RAM
assets-hw-disks = { $count ->
    [one] { $count } disk, { $size }
   *[other] { $count } disks, { $size }
}

asset-title = Asset: { $name }
asset-saved = Saved.
asset-seen-by = Seen by
asset-its-agent = its agent
asset-agent-never = its agent, enrolled but never reported
asset-host-page = host page
asset-and = and
asset-lan-discovery-at = LAN discovery at
asset-not-in-newest = not in the newest diagram
asset-ip-addresses = IP addresses
asset-mac-addresses = MAC addresses
asset-vendor = Vendor
asset-model = Model
asset-serial = Serial number
asset-os = Operating system
asset-processor = Processor
asset-hardware = Hardware
asset-disks = Disks
asset-last-seen = Last seen
asset-register-id = Register id
asset-recorded = Recorded
asset-nothing-saved = Nothing was saved:
asset-tag-label = Asset tag (kode barang / nomor inventaris)
asset-tag = Asset tag
asset-responsible = Responsible person
asset-location-label = Location (building, room, rack)
asset-location = Location
asset-procurement-year = Procurement year
asset-notes = Notes
asset-save = Save
asset-only-admins = Only Diskominfo administrators record these.
asset-only-admins-record = Only Diskominfo administrators record asset attributes.
asset-bad-year = Procurement year: “{ $value }” is not a year; write it like 2021, or leave it empty.
asset-changes = Changes
asset-nothing-recorded = Nothing recorded yet.
asset-changes-count = { $count ->
    [one] { $count } change, newest first
   *[other] { $count } changes, newest first
}
asset-col-when = When
asset-col-who = Who
asset-col-field = Field
asset-col-old = Old value
asset-col-new = New value
asset-col-via = Through
asset-via-web = this page
asset-via-api = the API
asset-via-import = an import

import-title = Import asset attributes
import-intro = Record asset tags, responsible persons, locations, procurement years and notes for many assets at once, from a CSV file (comma or semicolon separated, UTF-8) or an Excel workbook (.xlsx, its first sheet). Nothing is written until you have seen what would change.
import-columns = The file's columns
import-columns-find = To find each asset (at least one):
import-columns-record = To record:
import-columns-cells = An empty cell leaves the value as it is; “-” clears it. A file with any bad row changes nothing, and each bad row is named by its line.
import-columns-export = The register's own CSV can be edited and imported back:
import-file = File
import-check = Check (nothing is written)
import-done = Imported: { $changed ->
    [one] 1 asset changed
   *[other] { $changed } assets changed
}, { $unchanged ->
    [one] 1 was already as in the file.
   *[other] { $unchanged } were already as in the file.
}
import-bad-rows = { $count ->
    [one] 1 bad row: nothing will be imported. Correct the file and check it again.
   *[other] { $count } bad rows: nothing will be imported. Correct the file and check it again.
}
import-line = Line { $line }
import-would = { $rows ->
    [one] 1 row read
   *[other] { $rows } rows read
}: { $changed ->
    [one] 1 asset would change
   *[other] { $changed } assets would change
}, { $unchanged ->
    [one] 1 is already as in the file.
   *[other] { $unchanged } are already as in the file.
}
import-what-changed = What changed
import-what-would-change = What would change
import-col-line = Line
import-col-asset = Asset
import-apply = { $count ->
    [one] Import this change
   *[other] Import these { $count } changes
}
import-only-admins = Only Diskominfo administrators import asset attributes.
import-unreadable = The upload could not be read; try again.
import-unreadable-detail = The upload could not be read: { $detail }
import-not-intact = The checked file did not come back intact; upload it again.
import-changed-meanwhile = The register changed since this file was checked: here is what it would change now. Check the changes and import again.

# the register's CSV download: in English the API's headers
assets-csv-agency = agency
assets-csv-agency-name = agency_name
assets-csv-asset-type = asset_type
assets-csv-name = name
assets-csv-vendor = vendor
assets-csv-model = model
assets-csv-serial = serial
assets-csv-addresses = addresses
assets-csv-macs = macs
assets-csv-source = source
assets-csv-first-seen = first_seen
assets-csv-last-seen = last_seen
assets-csv-site = site
assets-csv-status = status
assets-csv-os = os
assets-csv-os-version = os_version
assets-csv-cpu = cpu
assets-csv-cpu-cores = cpu_cores
assets-csv-cpu-threads = cpu_threads
assets-csv-memory-bytes = memory_bytes
assets-csv-disk-bytes = disk_bytes
assets-csv-asset-tag = asset_tag
assets-csv-responsible = responsible
assets-csv-location = location
assets-csv-procurement-year = procurement_year
assets-csv-notes = notes
assets-csv-packages = packages
assets-csv-package-manager = package_manager
assets-csv-running-kernel = running_kernel
assets-csv-reboot-needed = reboot_needed
assets-csv-asset-id = asset_id
