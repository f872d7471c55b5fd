-- wrk script: requests with a method, bodies and headers read from files,
-- and a count of the answers by HTTP status.
--
--   wrk -t T -c C -d D -s bench/requests.lua URL -- METHOD BODIES HEADERS T
--
-- BODIES is a file of request bodies, one a line ("-" for none: an empty
-- body).  The T threads share it without overlap: thread i takes lines
-- i, i+T, i+2T... (every thread takes line 1 when there is only one) and
-- sends its lines in turn, over and over.  HEADERS is a file of
-- "Name: value" lines ("-" for none).  The files keep passwords and tokens
-- out of the process list.
--
-- done() prints one line per status, "status 429: 81234", smallest
-- status first: wrk itself only counts "Non-2xx or 3xx responses".
-- (Defining response() costs wrk a little time per answer: bench/run-*
-- use this script where the statuses matter and the same script for the
-- baseline they are compared with.)

local threads = {}
local counter = 0

function setup(thread)
	thread:set("tid", counter)
	counter = counter + 1
	table.insert(threads, thread)
end

function init(args)
	local method, bodies_file, headers_file, nthreads =
	    args[1], args[2], args[3], tonumber(args[4])
	assert(method and bodies_file and headers_file and nthreads,
	    "usage: -- METHOD BODIES HEADERS THREADS")
	headers = { ["Host"] = wrk.headers["Host"] }
	if headers_file ~= "-" then
		for line in io.lines(headers_file) do
			local name, value = line:match("^([^:]+):%s*(.*)$")
			if name then
				headers[name] = value
			end
		end
	end
	local all = {}
	if bodies_file ~= "-" then
		for line in io.lines(bodies_file) do
			all[#all + 1] = line
		end
	else
		all[1] = ""
	end
	bodies = {}
	if #all == 1 then
		bodies[1] = all[1]
	else
		for i = 1, #all do
			if (i - 1) % nthreads == tid then
				bodies[#bodies + 1] = all[i]
			end
		end
	end
	assert(#bodies > 0, "fewer bodies than threads")
	requests = {}
	for i = 1, #bodies do
		local body = bodies[i]
		if body == "" and (method == "GET" or method == "HEAD") then
			body = nil
		end
		requests[i] = wrk.format(method, nil, headers, body)
	end
	k = 0
	counts = {}
end

function request()
	k = k % #requests + 1
	return requests[k]
end

function response(status, headers, body)
	counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
	local all, keys = {}, {}
	for _, t in ipairs(threads) do
		for status, n in pairs(t:get("counts")) do
			if all[status] == nil then
				keys[#keys + 1] = status
				all[status] = 0
			end
			all[status] = all[status] + n
		end
	end
	table.sort(keys)
	for _, status in ipairs(keys) do
		io.write(string.format("status %d: %d\n", status, all[status]))
	end
end
