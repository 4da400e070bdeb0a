-- GET /v1/direct/messages with the imported accounts' tokens in turn (args: tokens file):
-- a provider takes only a few calls at once per mailbox, and Linkgate as many per account,
-- so calls are spread over accounts as an app syncing many mailboxes would.
local tokens = {}
local turn = 0

function init(args)
  for line in io.lines(args[1]) do
    tokens[#tokens + 1] = line
  end
end

function request()
  turn = turn % #tokens + 1
  return wrk.format("GET", "/v1/direct/messages", {
    ["Authorization"] = "Bearer " .. tokens[turn],
  })
end
