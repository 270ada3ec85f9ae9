# Certificates on servers ([[certificates]] files of agent.toml): the /certificates
# page and the host page's section.
certs-title = Certificates on servers
certs-agency-title = Certificates on servers of { $agency }
certs-explain = The certificate files the agents report from each server ([[certificates]] in agent.toml), soonest to expire first: the certificate, the verification verdict (chain to a trusted CA and validity; no host name), the expiry and the days left. Private keys are never sent. Times in { $zone }.
certs-none = No certificate files reported yet. Add [[certificates]] path = "/etc/ssl/..." to the server's agent.toml.
certs-col-host = Host
certs-col-file = File
certs-col-certificate = Certificate
certs-col-verdict = Verdict
certs-col-expires = Valid until
certs-col-reported = Reported
certs-no-certificate = no certificate
certs-unreadable = unreadable
certs-issuer = issuer: { $issuer }
certs-key = { $kind } key, { $bits } bits, { $algorithm }
certs-chain = with { $count } chain certificate(s)
certs-skipped = skipped, not sent: { $blocks }
certs-error = the agent says:
certs-days-left = { $days } days left
certs-days-ago = expired { $days } days ago
certs-host-title = Certificates on this server
certs-host-none = This server's agent reports no certificate files ([[certificates]] in agent.toml).
