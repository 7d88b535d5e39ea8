"""Lua scripts of the Redis router state: each routing step is one atomic round trip."""

from __future__ import annotations

from typing import Final

__all__ = ["BEGIN", "COOLDOWN", "END", "FAILURE", "READ"]

# KEYS: per deployment, 5 keys: cooldown, in-flight, rpm, tpm, latency. ARGV: the number of
# deployments, then 0/1 flags for in-flight, usage, latency. Returns, per deployment, 5
# values: cooldown ms left (<= 0: up), in-flight, rpm, tpm, latency (nil when unknown).
READ: Final = """
local n = tonumber(ARGV[1])
local want_if, want_usage, want_lat = ARGV[2] == '1', ARGV[3] == '1', ARGV[4] == '1'
local out = {}
for i = 0, n - 1 do
  local k = i * 5
  out[k + 1] = redis.call('PTTL', KEYS[k + 1])
  out[k + 2] = want_if and redis.call('GET', KEYS[k + 2]) or false
  out[k + 3] = want_usage and redis.call('GET', KEYS[k + 3]) or false
  out[k + 4] = want_usage and redis.call('GET', KEYS[k + 4]) or false
  out[k + 5] = want_lat and redis.call('GET', KEYS[k + 5]) or false
end
return out
"""

# KEYS: in-flight, rpm. ARGV: in-flight ttl, usage ttl.
BEGIN: Final = """
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return 1
"""

# KEYS: in-flight, tpm, latency. ARGV: tokens, latency seconds ('' for none), alpha,
# latency ttl ms, in-flight ttl, usage ttl.
END: Final = """
local v = redis.call('DECR', KEYS[1])
if v < 0 then redis.call('SET', KEYS[1], 0) end
redis.call('EXPIRE', KEYS[1], ARGV[5])
local tokens = tonumber(ARGV[1])
if tokens > 0 then
  redis.call('INCRBY', KEYS[2], tokens)
  redis.call('EXPIRE', KEYS[2], ARGV[6])
end
if ARGV[2] ~= '' then
  local sample = tonumber(ARGV[2])
  local alpha = tonumber(ARGV[3])
  local old = tonumber(redis.call('GET', KEYS[3]) or '')
  local new = sample
  if old then new = old * (1 - alpha) + sample * alpha end
  redis.call('SET', KEYS[3], string.format('%.9g', new), 'PX', ARGV[4])
end
return 1
"""

# KEYS: failure count, cooldown. ARGV: allowed fails, window ms, cooldown ms.
# Returns 1 when this failure started a cooldown.
FAILURE: Final = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if n <= tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
local ms = tonumber(ARGV[3])
if redis.call('PTTL', KEYS[2]) < ms then redis.call('SET', KEYS[2], 1, 'PX', ms) end
return 1
"""

# KEYS: cooldown. ARGV: cooldown ms. A longer cooldown already running is kept.
COOLDOWN: Final = """
local ms = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < ms then redis.call('SET', KEYS[1], 1, 'PX', ms) end
return 1
"""
