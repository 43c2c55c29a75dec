-- wrk script: each request's path, and whether it carries a member's session cookie, comes from a file, so one
-- run mixes the pages bench/pages_bench.py measures. The file (URLS in the environment; bench/throughput.py writes
-- it) has one request a line: "-" or a Cookie header value, one space, then the path. Each wrk thread walks the
-- list from its own starting point. The report at the end is bench/wrk/latency.lua's, loaded from beside this file.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "latency.lua")

local threads_started = 0

setup = function(thread)
  thread:set("id", threads_started)
  threads_started = threads_started + 1
end

local requests = {}
local position = 1

init = function(args)
  local path = os.getenv("URLS") or error("URLS must name the file of requests")
  for line in io.lines(path) do
    local cookie, target = line:match("^(%S+) (%S+)$")
    if target then
      local headers = {}
      if cookie ~= "-" then
        headers["Cookie"] = cookie
      end
      requests[#requests + 1] = wrk.format("GET", target, headers)
    end
  end
  if #requests == 0 then
    error("no requests in " .. path)
  end
  position = (id or 0) * 997 % #requests + 1
end

request = function()
  local prepared = requests[position]
  position = position % #requests + 1
  return prepared
end
