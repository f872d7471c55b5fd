-- wrk script: every request of a list in turn, COUNT times each, then
-- stop; and a count of the answers by HTTP status (as requests.lua).
--
--   wrk -t T -c C -d LONG -s bench/routes.lua URL -- REQUESTS HEADERS COUNT T
--
-- REQUESTS is a file of "METHOD PATH BODY" lines, BODY being the rest of
-- the line (empty for none).  HEADERS is a file of "Name: value" lines
-- sent with every request ("-" for none), e.g. the Authorization header:
-- the files keep the token out of the process list.  Each of the T
-- threads sends COUNT / T rounds of the whole list and stops; -d only
-- bounds the time.  done() prints "status 200: N" lines, then
-- "requests: N" (the answers counted).

local threads = {}
local counter = 0

function setup(thread)
	thread:set("tid", counter)
	counter = counter + 1
	table.insert(threads, thread)
end

function init(args)
	local requests_file, headers_file, count, nthreads =
	    args[1], args[2], tonumber(args[3]), tonumber(args[4])
	assert(requests_file and headers_file and count and nthreads,
	    "usage: -- REQUESTS HEADERS COUNT THREADS")
	local headers = { ["Host"] = wrk.headers["Host"] }
	if headers_file ~= "-" then
		for line in io.lines(headers_file) do
			local name, value = line:match("^([^:]+):%s*(.*)$")
			if name then
				headers[name] = value
			end
		end
	end
	reqs = {}
	for line in io.lines(requests_file) do
		local method, path, body = line:match("^(%S+)%s+(%S+)%s?(.*)$")
		if method then
			local h = {}
			for k, v in pairs(headers) do
				h[k] = v
			end
			if body == "" then
				body = nil
			else
				h["Content-Type"] = body:sub(1, 1) == "{" and
				    "application/json" or
				    "application/x-www-form-urlencoded"
			end
			reqs[#reqs + 1] = wrk.format(method, path, h, body)
		end
	end
	assert(#reqs > 0, "no requests in " .. requests_file)
	-- Thread tid's share of the COUNT rounds.
	local rounds = math.floor(count / nthreads)
	if tid < count % nthreads then
		rounds = rounds + 1
	end
	budget = rounds * #reqs
	k = 0
	answered = 0
	counts = {}
end

function request()
	k = k % #reqs + 1
	return reqs[k]
end

function response(status, headers, body)
	counts[status] = (counts[status] or 0) + 1
	answered = answered + 1
	if answered >= budget then
		wrk.thread:stop()
	end
end

function done(summary, latency, requests)
	local all, keys, total = {}, {}, 0
	for _, t in ipairs(threads) do
		for status, n in pairs(t:get("counts")) do
			if all[status] == nil then
				keys[#keys + 1] = status
				all[status] = 0
			end
			all[status] = all[status] + n
			total = total + n
		end
	end
	table.sort(keys)
	for _, status in ipairs(keys) do
		io.write(string.format("status %d: %d\n", status, all[status]))
	end
	io.write(string.format("requests: %d\n", total))
end
