-- The whole account flow with no browser, one end user per connection (run with as many
-- threads as connections, so requests and answers alternate): the app's authorize link,
-- the Sandbox consent page, its form posted with every scope allowed, the callback, and the
-- app's code exchange. Each flow signs in a new Sandbox user, so each creates an account.
-- args: authorize path and query, the app's Authorization header.
local step, target, form, code = "authorize", nil, nil, nil
local cookie, user, n
flows, unexpected, last_unexpected = 0, 0, ""

function init(args)
  math.randomseed(os.time() + id * 7919)
  authorize_path, auth = args[1], args[2]
  user = string.format("u%d-%d", id, math.random(1e9))
  -- The browser's cookie binding its flows; the first authorize sets it, as in a browser.
  cookie = ""
  n = 0
end

local function path_of(url)
  return (url:gsub("^https?://[^/]+", ""))
end

local function unescape_html(s)
  return (s:gsub("&quot;", '"'):gsub("&#39;", "'"):gsub("&lt;", "<"):gsub("&gt;", ">"):gsub("&amp;", "&"))
end

local function form_encode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

-- What a browser posts: the hidden fields, every scope box (checked), a new user's email.
local function consent_form(html)
  local fields = {}
  for name, value in html:gmatch('<input type="hidden" name="([^"]+)" value="([^"]*)">') do
    fields[#fields + 1] = name .. "=" .. form_encode(unescape_html(value))
  end
  for scope in html:gmatch('name="granted" value="([^"]*)"') do
    fields[#fields + 1] = "granted=" .. form_encode(unescape_html(scope))
  end
  n = n + 1
  fields[#fields + 1] = "email=" .. form_encode(user .. "-" .. n .. "@bench.example")
  fields[#fields + 1] = "name=Bench+User&decision=approve"
  return table.concat(fields, "&")
end

function request()
  if step == "authorize" then
    return wrk.format("GET", authorize_path, { ["Cookie"] = cookie })
  elseif step == "consent_page" or step == "callback" then
    return wrk.format("GET", target, { ["Cookie"] = cookie })
  elseif step == "consent" then
    return wrk.format("POST", "/sandbox/authorize", {
      ["Cookie"] = cookie,
      ["Content-Type"] = "application/x-www-form-urlencoded",
    }, form)
  end
  return wrk.format("POST", "/v1/auth/token/" .. code, { ["Authorization"] = auth })
end

function response(status, headers, body)
  local location = headers["location"] or headers["Location"]
  local redirected = status >= 300 and status < 400 and location ~= nil
  if step == "authorize" and redirected then
    local set = (headers["set-cookie"] or headers["Set-Cookie"] or ""):match("lg_flow=[^;]+")
    cookie = set or cookie
    step, target = "consent_page", path_of(location)
    return
  elseif step == "consent_page" and status == 200 then
    step, form = "consent", consent_form(body)
    return
  elseif step == "consent" and redirected then
    step, target = "callback", path_of(location)
    return
  elseif step == "callback" and redirected then
    code = location:match("[?&]code=([^&]+)")
    if code then
      step = "exchange"
      return
    end
  elseif step == "exchange" and status == 200 then
    flows = flows + 1
    step = "authorize"
    return
  end
  unexpected = unexpected + 1
  -- Quotes and backslashes would break the JSON line report.lua prints.
  last_unexpected = (step .. " answered " .. status .. " " .. (location or body:sub(1, 200))):gsub('["\\%c]', " ")
  step = "authorize"
end
