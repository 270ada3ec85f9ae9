# WAN links: the link pages, API and scorecard (collector/src/links, web).
