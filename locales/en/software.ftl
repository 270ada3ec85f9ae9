# The software inventory: the host page's section, /hosts/{id}/software, /inventory/software
software-title = Installed software
software-none = No package list from this host's agent yet (an older agent, or [software] enabled = false in agent.toml).
software-installed = Installed
software-packages = { $count ->
    [one] { $count } package
   *[other] { $count } packages
}
software-as-of = List as of
software-kernel = Running kernel
software-unknown = unknown
software-reboot-needed = reboot needed
software-kernel-current = newest kernel
software-newest-kernel = newest installed kernel: { $kernel }
software-reboot-needed-since = waiting since { $since }
software-no-changes = No package changes since the first list ({ $since }).
software-recent-changes = Latest changes
software-all-changes = Every change and the whole package list
software-changes = Package changes
software-list = Package list
software-back = Back to the host page of { $host }
software-host-title = Software of { $host }
software-col-time = Time
software-col-package = Package
software-col-change = Change
software-col-old = Version before
software-col-new = New version
software-col-version = Version
software-col-arch = Architecture
software-col-agency = Agency
software-col-host = Host
software-col-since = This version since
software-change-installed = installed
software-change-removed = removed
software-change-upgraded = upgraded
software-change-downgraded = downgraded
software-change-changed = changed
software-search-title = Find software
software-search-intro = Which hosts have a package installed, or have it below a version (for example the hosts still running an old openssl). Versions are compared by the rules of each host's package manager (dpkg or rpm).
software-search-name = Package name
software-search-below = Below version
software-search-button = Search
software-search-hint = An exact name (openssl), or a prefix followed by * (libssl*). Leave "below version" empty to see every version.
software-search-bad = The search is not valid: a package name is 1 to 128 letters, digits and + - . _ : with at most one * at its end; a version is 1 to 128 characters without spaces.
software-search-none = No host matches.
software-search-count = { $count ->
    [one] { $count } match
   *[other] { $count } matches
}
software-search-total = { $hosts ->
    [one] { $hosts } host
   *[other] { $hosts } hosts
}, { $count } packages
software-search-truncated = The results are cut: too many match. Search more narrowly (a fuller name, or a version bound).
