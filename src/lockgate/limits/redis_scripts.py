"""Lua scripts of the Redis limit backend: a reservation and a settlement are each one
atomic round trip covering every bucket of the request.

Keys per bucket (all under one hash tag, so one Redis Cluster slot):
  1. spent     ``{p}:sp:<scope>:<window>``  settled nano-USD of the budget window
  2. holds     ``{p}:rs:<scope>``           sorted set of reservations "<id>|<nano>" by expiry
  3. reserved  ``{p}:rt:<scope>``           sum of the live reservations' nano-USD
  4. minute    ``{p}:mn:<scope>:<minute>``  hash: r (requests), t (tokens) this minute

A reservation that is never settled (its instance was killed) expires: every reserve first
drops the holds whose expiry passed and subtracts their amounts, and the hold keys
themselves carry a TTL, so no budget stays reserved for longer than ``hold_seconds``.
"""

from __future__ import annotations

from typing import Final

__all__ = ["RESERVE", "SEED", "SETTLE"]

# ARGV: n, now_ms, hold_ms, cost, tokens, member, then per bucket: budget, rpm, tpm,
# parallel (-1: none), spent ttl seconds (-1: none).
# Returns {1, requests..., tokens...} or {0, bucket index (1-based), reason, spent, reserved}.
RESERVE: Final = """
local n = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local hold = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local tokens = tonumber(ARGV[5])
local member = ARGV[6]
local req, tok = {}, {}
for i = 0, n - 1 do
  local k, a = i * 4, 6 + i * 5
  local budget, rpm, tpm, par = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]),
    tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
  local expired = redis.call('ZRANGEBYSCORE', KEYS[k + 2], '-inf', now)
  if #expired > 0 then
    local sum = 0
    for _, m in ipairs(expired) do
      sum = sum + tonumber(string.match(m, '|(%d+)$'))
    end
    redis.call('ZREMRANGEBYSCORE', KEYS[k + 2], '-inf', now)
    if redis.call('DECRBY', KEYS[k + 3], sum) < 0 then redis.call('SET', KEYS[k + 3], 0) end
  end
  if par >= 0 and redis.call('ZCARD', KEYS[k + 2]) >= par then
    return {0, i + 1, 'parallel', 0, 0}
  end
  local usage = redis.call('HMGET', KEYS[k + 4], 'r', 't')
  req[i + 1] = tonumber(usage[1] or '0')
  tok[i + 1] = tonumber(usage[2] or '0')
  if rpm >= 0 and req[i + 1] + 1 > rpm then return {0, i + 1, 'rpm', 0, 0} end
  if tpm >= 0 and tok[i + 1] + tokens > tpm then return {0, i + 1, 'tpm', 0, 0} end
  if budget >= 0 then
    local spent = tonumber(redis.call('GET', KEYS[k + 1]) or '0')
    local reserved = tonumber(redis.call('GET', KEYS[k + 3]) or '0')
    if spent + reserved >= budget or spent + reserved + cost > budget then
      return {0, i + 1, 'budget', spent, reserved}
    end
  end
end
local out = {1}
for i = 0, n - 1 do
  local k = i * 4
  redis.call('ZADD', KEYS[k + 2], now + hold, member)
  redis.call('PEXPIRE', KEYS[k + 2], hold * 2)
  redis.call('INCRBY', KEYS[k + 3], cost)
  redis.call('PEXPIRE', KEYS[k + 3], hold * 2)
  redis.call('HINCRBY', KEYS[k + 4], 'r', 1)
  redis.call('HINCRBY', KEYS[k + 4], 't', tokens)
  redis.call('EXPIRE', KEYS[k + 4], 120)
  out[i + 2] = req[i + 1] + 1
  out[n + i + 2] = tok[i + 1] + tokens
end
return out
"""

# ARGV: n, member, reserved, actual, token delta, then per bucket the spent ttl (-1: none).
SETTLE: Final = """
local n = tonumber(ARGV[1])
local member = ARGV[2]
local reserved = tonumber(ARGV[3])
local actual = tonumber(ARGV[4])
local delta = tonumber(ARGV[5])
for i = 0, n - 1 do
  local k = i * 4
  if redis.call('ZREM', KEYS[k + 2], member) == 1 then
    if redis.call('DECRBY', KEYS[k + 3], reserved) < 0 then redis.call('SET', KEYS[k + 3], 0) end
  end
  if actual > 0 then
    redis.call('INCRBY', KEYS[k + 1], actual)
    local ttl = tonumber(ARGV[6 + i])
    if ttl > 0 then redis.call('EXPIRE', KEYS[k + 1], ttl) end
  end
  if delta ~= 0 and redis.call('EXISTS', KEYS[k + 4]) == 1 then
    if redis.call('HINCRBY', KEYS[k + 4], 't', delta) < 0 then
      redis.call('HSET', KEYS[k + 4], 't', 0)
    end
  end
end
return 1
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
