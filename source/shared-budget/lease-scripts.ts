/**
 * The Lua scripts that do each check and its debit in one atomic step on the Redis server, timed by Redis
 * `TIME` so runners on hosts whose clocks disagree still agree on when a lease or a pause ends.
 */

/**
 * Heartbeat of one runner's lease, and the share it may hold until the next one.
 * KEYS: 1 expiry (zset runner -> ms), 2 demand, 3 held, 4 cap, 5 in flight (hashes by runner), 6 the pause key.
 * ARGV: runner id, lease ms, demand (-1: leave now), in flight, the runner's cap of the whole budget (its learned
 * limit when adaptive). The budget's cap is the lowest cap of the runners with work (of all, if none has any):
 * one learned limit for the budget, not one per runner.
 * Leases past their expiry (a runner killed without a word) are dropped first, so their share comes back.
 * The budget's cap is split max-min fairly over the runners' demands, and a runner is granted its fair part
 * only as far as the slots others still hold (their grant or their in-flight requests, whichever is more)
 * leave room: a runner whose share shrank keeps the slots its requests hold until they end, never both.
 * Returns {grant, fair, runners with work, runners, in flight across all, cap, pause ms left}.
 */
export const heartbeatScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local id = ARGV[1]
local ttl = tonumber(ARGV[2])
local demand = tonumber(ARGV[3])
local inflight = tonumber(ARGV[4])
local cap = tonumber(ARGV[5])
local function forget(r)
  redis.call('ZREM', KEYS[1], r)
  for i = 2, 5 do redis.call('HDEL', KEYS[i], r) end
end
for _, r in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do forget(r) end
if demand < 0 then
  forget(id)
else
  redis.call('ZADD', KEYS[1], now + ttl, id)
  redis.call('HSET', KEYS[2], id, demand)
  redis.call('HSET', KEYS[4], id, cap)
  redis.call('HSET', KEYS[5], id, inflight)
end
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local budgetCap = nil
local entries = {}
local othersHeld, total, active = 0, 0, 0
local idleCap = nil
for _, r in ipairs(ids) do
  local c = tonumber(redis.call('HGET', KEYS[4], r)) or 1
  local d = tonumber(redis.call('HGET', KEYS[2], r)) or 0
  if d > 0 then
    if budgetCap == nil or c < budgetCap then budgetCap = c end
  elseif idleCap == nil or c < idleCap then idleCap = c end
  entries[#entries + 1] = {r, d}
  total = total + (tonumber(redis.call('HGET', KEYS[5], r)) or 0)
  if r ~= id then othersHeld = othersHeld + (tonumber(redis.call('HGET', KEYS[3], r)) or 0) end
  if d > 0 then active = active + 1 end
end
budgetCap = budgetCap or idleCap
-- A budget nobody uses any more leaves nothing behind.
for i = 1, 5 do if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ttl * 2) end end
local pause = redis.call('PTTL', KEYS[6])
if pause < 0 then pause = 0 end
if demand < 0 then return {0, 0, active, #ids, total, budgetCap or 0, pause} end
table.sort(entries, function(a, b) if a[2] == b[2] then return a[1] < b[1] end return a[2] < b[2] end)
local left, n, fair = budgetCap, #entries, 0
for i, e in ipairs(entries) do
  local give = math.min(e[2], math.floor(left / (n - i + 1)))
  if e[1] == id then fair = give end
  left = left - give
end
local grant = math.max(0, math.min(fair, budgetCap - othersHeld))
redis.call('HSET', KEYS[3], id, math.max(grant, inflight))
return {grant, fair, active, #ids, total, budgetCap, pause}
`;

/**
 * A 429's Retry-After for every runner: the budget's pause ends at the later of the one it had and this one,
 * and the news goes out on the budget's channel at once. KEYS: 1 the pause key. ARGV: ms, channel, message.
 */
export const pauseScript = `
local ms = tonumber(ARGV[1])
local left = redis.call('PTTL', KEYS[1])
if ms > left then
  redis.call('SET', KEYS[1], '1', 'PX', ms)
  redis.call('PUBLISH', ARGV[2], ARGV[3])
end
return 1
`;
