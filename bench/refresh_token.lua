-- wrk script for POST /refresh_token: every request presents a refresh
-- token never used before (each one works once: rotation).
--
--   wrk -t T -c C -d D -s bench/refresh_token.lua URL -- TOKENS T
--
-- TOKENS is a file of refresh tokens, one a line, each the current token
-- of a live session (bench/run-auth inserts them into the database).  The
-- T threads share it without overlap: thread i takes lines i, i+T, i+2T...
-- A thread that runs out stops and sends one request with a token that
-- is not valid (a 401, so it shows among the non-2xx answers); done()
-- prints "tokens: USED of TOTAL, exhausted threads: N" either way.

local threads = {}
local counter = 0

function setup(thread)
	thread:set("tid", counter)
	counter = counter + 1
	table.insert(threads, thread)
end

function init(args)
	local file, nthreads = args[1], tonumber(args[2])
	assert(file and nthreads, "usage: -- TOKENS THREADS")
	tokens = {}
	local n = 0
	for line in io.lines(file) do
		if n % nthreads == tid then
			tokens[#tokens + 1] = line
		end
		n = n + 1
	end
	ntokens = #tokens
	used = 0
	exhausted = 0
	headers = { ["Host"] = wrk.headers["Host"] }
end

function request()
	local tok
	if used < ntokens then
		used = used + 1
		tok = tokens[used]
	else
		-- Out of tokens: the measurement is cut short, say so loudly.
		exhausted = 1
		wrk.thread:stop()
		tok = "rt_exhausted"
	end
	-- The token in Authorization: Bearer, as API.md puts it first; an
	-- empty body ("" gives Content-Length: 0).
	headers["Authorization"] = "Bearer " .. tok
	return wrk.format("POST", nil, headers, "")
end

function done(summary, latency, requests)
	local u, n, x = 0, 0, 0
	for _, t in ipairs(threads) do
		u = u + t:get("used")
		n = n + t:get("ntokens")
		x = x + t:get("exhausted")
	end
	io.write(string.format("tokens: %d of %d, exhausted threads: %d\n", u, n, x))
end
