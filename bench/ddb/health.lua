-- health.lua: leastcloud's unsigned health probe (GET /): libmicrohttpd, routing and the reply's
-- headers, without SigV4, IAM, SQLite or a trail row; the floor under every API call.
wrk.method = "GET"
