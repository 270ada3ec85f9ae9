# The frame of every page (web/mod.rs) and the language switch.

skip-link = Skip to content
nav-scorecard = Scorecard
nav-sla = SLA
nav-backups = Backups
nav-inventory = Inventory
nav-lan = LAN
user-scope-agency = { $name } (OPD { $agency })
user-scope-admin = { $name } (Diskominfo admin)
logout = Log out
language-switch = Show the pages in this language
printed-by = Printed { $time } by { $name }
footer = Times in { $zone }. Simpul { $version }.
error-not-found = Not found
error-title = Error
error-back = Back to the scorecard

# the filters of the lists
filter-agency = Agency
filter-all-agencies = All agencies
