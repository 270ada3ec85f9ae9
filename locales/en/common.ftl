# The frame of every page (web/mod.rs) and the language switch.

skip-link = Skip to content
nav-scorecard = Scorecard
nav-sla = SLA
nav-backups = Backups
nav-inventory = Inventory
nav-lan = LAN
nav-links = WAN links
nav-interfaces = Traffic
nav-websites = Websites
user-scope-agency = { $name } (OPD { $agency })
user-scope-admin = { $name } (Diskominfo admin)
logout = Log out
language-switch = Show the pages in this language
printed-by = Printed { $time } by { $name }
footer = Times in { $zone }. Simpul { $version }.
error-not-found = Not found
error-title = Error
error-back = Back to the scorecard
error-no-agency = No agency here.
error-no-host = No host here.
error-no-asset = No asset here.
error-no-page = No page here: check the address, or start from the scorecard.
error-database-down = The database is not available; try again shortly.
error-csrf = This form had no valid CSRF token (it expired, or came from elsewhere). Reload the page and try again.
language-bad = The language "{ $value }" is not offered: choose "id" (Bahasa Indonesia) or "en" (English).

# the filters of the lists
filter-agency = Agency
filter-all-agencies = All agencies

# the login page (web/session.rs)
login-title = Log in
login-intro = Inventory and duty monitoring of Diskominfo, the Pusat Data and the agencies (OPD).
login-name = User name
login-password = Password
login-submit = Log in
login-expired = The login form had expired or came from elsewhere (no CSRF token); please log in again.
login-wrong = Wrong user name or password.
login-failed-server = Login failed on the server; try again.
login-database-down = The database is not available; try again shortly.
login-too-many = Too many login attempts from this address
login-busy = The server is busy with other logins
login-try-again = { $why }. Try again in { $secs } s.
filter-submit = Filter
download-csv = Download CSV
nav-certificates = Certificates
