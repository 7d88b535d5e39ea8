"""Lua scripts of the Redis limit backend. ``BATCH`` runs any number of reservations and
settlements (of one or many requests) in one atomic round trip, in the order given: each
operation sees the effect of the ones before it, exactly as if they had run one by one.

Keys per bucket (all under one hash tag, so one Redis Cluster slot):
  1. spent     ``{p}:sp:<scope>:<window>``  settled nano-USD of the budget window
  2. holds     ``{p}:rs:<scope>``           sorted set of reservations "<id>|<nano>" by expiry
  3. reserved  ``{p}:rt:<scope>``           sum of the live reservations' nano-USD
  4. minute    ``{p}:mn:<scope>:<minute>``  hash: r (requests), t (tokens) this minute

A reservation that is never settled (its instance was killed) expires: the first
reservation of a bucket in each call drops the holds whose expiry passed and subtracts
their amounts, and the hold keys themselves carry a TTL, so no budget stays reserved for
much longer than ``hold_seconds`` (a hold expiring during a call counts until the next).
"""

from __future__ import annotations

from typing import Final

__all__ = ["BATCH", "SEED"]

# KEYS: the four keys above per key group; group g (1-based) is KEYS[4g-3 .. 4g].
# ARGV[1]: the operations, one a line, their fields separated by single spaces (one
# argument, one reply: the client packs and parses each argument and reply element
# separately, which costs more than the script's own work):
#   R now_ms hold_ms cost tokens id, then per bucket: group budget rpm tpm parallel
#   S id reserved actual token_delta, then per bucket: group spent_ttl
# (-1: no such limit / no ttl). The hold's member is "<id>|<nano reserved>".
# Returns the operations' replies, one a line: R gives "1 requests... tokens..." (per
# bucket, after this request) or "0 bucket reason spent reserved" (bucket 1-based);
# S gives an empty line; an operation that failed (a key of the wrong type) gives
# "E <error>" and the others still run (what it wrote before failing stays, as in any
# Redis script; a hold left behind expires).
BATCH: Final = """
-- Per key group, what this call has read or written already: each operation still
-- writes its own effect, but reads what an earlier one of the same call left rather than
-- asking Redis again (nothing else runs during a script). In a call of many requests of
-- one key, a reservation makes 3 commands rather than 9.
local held, used_r, used_t, minute_made, spent, reserved = {}, {}, {}, {}, {}, {}
local swept, hold_ttl = {}, {}

local function fields(text)
  local f = {}
  for w in string.gmatch(text, '%S+') do f[#f + 1] = w end
  return f
end

-- Holds whose expiry passed are dropped once a call, by the group's first reservation
-- (a hold that expires during the call stays counted until the next: never too little).
local function sweep(k, now)
  if swept[k] then return end
  swept[k] = true
  local expired = redis.call('ZRANGEBYSCORE', KEYS[k + 2], '-inf', now)
  if #expired > 0 then
    local sum = 0
    for _, m in ipairs(expired) do
      sum = sum + tonumber(string.match(m, '|(%d+)$'))
    end
    redis.call('ZREMRANGEBYSCORE', KEYS[k + 2], '-inf', now)
    local left = redis.call('DECRBY', KEYS[k + 3], sum)
    if left < 0 then redis.call('SET', KEYS[k + 3], 0, 'KEEPTTL'); left = 0 end
    if reserved[k] ~= nil then reserved[k] = left end
    held[k] = nil
  end
end

local function usage(k)
  if used_r[k] == nil then
    local u = redis.call('HMGET', KEYS[k + 4], 'r', 't')
    used_r[k], used_t[k] = tonumber(u[1] or '0'), tonumber(u[2] or '0')
    minute_made[k] = (u[1] or u[2]) and true or false
  end
  return used_r[k], used_t[k]
end

local function money(k)
  if spent[k] == nil or reserved[k] == nil then
    local both = redis.call('MGET', KEYS[k + 1], KEYS[k + 3])
    spent[k], reserved[k] = tonumber(both[1] or '0'), tonumber(both[2] or '0')
  end
  return spent[k], reserved[k]
end

local function reserve(f)
  local now, hold = tonumber(f[2]), tonumber(f[3])
  local cost, tokens = tonumber(f[4]), tonumber(f[5])
  local member = f[6] .. '|' .. f[4]
  local base, req, tok = {}, {}, {}
  local n = (#f - 6) / 5
  for i = 1, n do
    local a = 6 + (i - 1) * 5
    local k = tonumber(f[a + 1]) * 4 - 4
    local budget, rpm, tpm, par = tonumber(f[a + 2]), tonumber(f[a + 3]),
      tonumber(f[a + 4]), tonumber(f[a + 5])
    base[i] = k
    sweep(k, now)
    if par >= 0 then
      if held[k] == nil then held[k] = redis.call('ZCARD', KEYS[k + 2]) end
      if held[k] >= par then return '0 ' .. i .. ' parallel 0 0' end
    end
    req[i], tok[i] = usage(k)
    if rpm >= 0 and req[i] + 1 > rpm then return '0 ' .. i .. ' rpm 0 0' end
    if tpm >= 0 and tok[i] + tokens > tpm then return '0 ' .. i .. ' tpm 0 0' end
    if budget >= 0 then
      local s, r = money(k)
      local total = s + r
      if total >= budget or total + cost > budget then
        return string.format('0 %d budget %.0f %.0f', i, s, r)
      end
    end
  end
  local out = {'1'}
  for i = 1, n do
    local k = base[i]
    local added = redis.call('ZADD', KEYS[k + 2], now + hold, member)
    if held[k] ~= nil then held[k] = held[k] + added end
    reserved[k] = redis.call('INCRBY', KEYS[k + 3], cost)
    if (hold_ttl[k] or -1) < hold * 2 then hold_ttl[k] = hold * 2 end
    -- Both counts as read above plus this request (nothing ran in between: one script).
    local r, t = string.format('%d', req[i] + 1), string.format('%d', tok[i] + tokens)
    if redis.call('HSET', KEYS[k + 4], 'r', r, 't', t) == 2 then  -- the minute's first
      redis.call('EXPIRE', KEYS[k + 4], 120)
    end
    used_r[k], used_t[k], minute_made[k] = req[i] + 1, tok[i] + tokens, true
    out[i + 1] = r
    out[n + i + 1] = t
  end
  return table.concat(out, ' ')
end

local function settle(f)
  local member = f[2] .. '|' .. f[3]
  local cost, actual, delta = tonumber(f[3]), tonumber(f[4]), tonumber(f[5])
  for a = 6, #f, 2 do
    local k = tonumber(f[a]) * 4 - 4
    if redis.call('ZREM', KEYS[k + 2], member) == 1 then
      if held[k] ~= nil then held[k] = held[k] - 1 end
      local left = redis.call('DECRBY', KEYS[k + 3], cost)
      if left < 0 then redis.call('SET', KEYS[k + 3], 0, 'KEEPTTL'); left = 0 end
      if reserved[k] ~= nil then reserved[k] = left end
    end
    if actual > 0 then
      -- The key's name holds its window: a ttl set when it is made outlasts the window.
      local ttl = tonumber(f[a + 1])
      local now_spent = redis.call('INCRBY', KEYS[k + 1], actual)
      if now_spent == actual and ttl > 0 then redis.call('EXPIRE', KEYS[k + 1], ttl) end
      if spent[k] ~= nil then spent[k] = now_spent end
    end
    if delta ~= 0 then
      if minute_made[k] == nil then
        minute_made[k] = redis.call('EXISTS', KEYS[k + 4]) == 1
      end
      if minute_made[k] then
        local t = redis.call('HINCRBY', KEYS[k + 4], 't', delta)
        if t < 0 then redis.call('HSET', KEYS[k + 4], 't', 0); t = 0 end
        if used_r[k] ~= nil then used_t[k] = t end
      end
    end
  end
  return ''
end

local out = {}
for op in string.gmatch(ARGV[1], '[^\\n]+') do
  local f = fields(op)
  -- One operation's error (a key of the wrong type) fails that operation alone.
  local ok, reply = pcall(f[1] == 'R' and reserve or settle, f)
  if not ok then
    if type(reply) == 'table' then reply = reply.err end
    reply = 'E ' .. string.gsub(tostring(reply), '%s+', ' ')
  end
  out[#out + 1] = reply
end
-- The holds and the reserved sum outlive every hold taken in this call: set once, at
-- the end, so it also covers a key that an earlier operation emptied and removed.
for k, ttl in pairs(hold_ttl) do
  redis.call('PEXPIRE', KEYS[k + 2], ttl)
  redis.call('PEXPIRE', KEYS[k + 3], ttl)
end
return table.concat(out, '\\n')
"""

# KEYS: spent keys. ARGV: per key the nano-USD and the ttl (-1: none). Sets only missing keys.
SEED: Final = """
for i = 1, #KEYS do
  local ttl = tonumber(ARGV[i * 2])
  if ttl > 0 then
    redis.call('SET', KEYS[i], ARGV[i * 2 - 1], 'NX', 'EX', ttl)
  else
    redis.call('SET', KEYS[i], ARGV[i * 2 - 1], 'NX')
  end
end
return 1
"""
