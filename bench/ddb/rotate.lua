-- rotate.lua: wrk replays pre-signed raw requests (bench_tool.py sign) in turn, one list per thread.
local requests, i = nil, 0

function init(args)
  requests = dofile(args[1])
  i = math.random(#requests)
end

function request()
  i = i % #requests + 1
  return requests[i]
end
