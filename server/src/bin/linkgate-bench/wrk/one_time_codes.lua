-- Exchanges pre-minted one-time codes, each once: thread i takes every n-th line of the codes
-- file (args: codes file, thread count, "linkgate" or "peer", Authorization header, the
-- peer's redirect_uri already form-encoded). A thread that runs out starts over, and the
-- replays answer 400, which the driver reports as a failed run.
local codes, next_code = {}, 1

function init(args)
  local threads, i = tonumber(args[2]), 0
  for line in io.lines(args[1]) do
    if i % threads == id then
      codes[#codes + 1] = line
    end
    i = i + 1
  end
  mode, auth, redirect_uri = args[3], args[4], args[5]
end

function request()
  local code = codes[next_code]
  next_code = next_code % #codes + 1
  if mode == "linkgate" then
    return wrk.format("POST", "/v1/auth/token/" .. code, { ["Authorization"] = auth })
  end
  return wrk.format("POST", "/token", {
    ["Authorization"] = auth,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, "grant_type=authorization_code&code=" .. code .. "&redirect_uri=" .. redirect_uri)
end
