-- GET /v1/account with a token drawn at random from the seeded ones (args: tokens file).
local tokens = {}

function init(args)
  math.randomseed(os.time() + id * 7919)
  for line in io.lines(args[1]) do
    tokens[#tokens + 1] = line
  end
end

function request()
  return wrk.format("GET", "/v1/account", {
    ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)],
  })
end
