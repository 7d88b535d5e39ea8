"""The Lua script of the Redis router state. ``BATCH`` runs any number of operations (of
one or many requests) in one atomic round trip, in the order given: each sees the effect of
the ones before it, exactly as if they had run one by one.

Keys per deployment slot (one slot per deployment and minute in a call, all under one hash
tag, so one Redis Cluster slot):
  1. cooldown   ``{p}:cd:<id>``            exists while the deployment cools down (PX ttl)
  2. in flight  ``{p}:if:<id>``            requests started and not yet ended
  3. rpm        ``{p}:rpm:<id>:<minute>``  requests started this minute
  4. tpm        ``{p}:tpm:<id>:<minute>``  tokens reported this minute
  5. latency    ``{p}:lat:<id>``           moving average in seconds (PX ttl)
  6. failures   ``{p}:fail:<id>``          failures in the current window (PX window)
"""

from __future__ import annotations

from typing import Final

__all__ = ["BATCH", "KEYS_PER_SLOT"]

KEYS_PER_SLOT: Final = 6

# KEYS: the six keys above per slot; slot s (1-based) is KEYS[6s-5 .. 6s].
# ARGV[1]: the operations, one a line, fields separated by single spaces, the slot(s) last
# (one argument and one reply: redis-py packs and parses each element separately, which
# costs more than the script's own work). ARGV[2]: in-flight ttl, ARGV[3]: usage ttl (s).
#   B slot                                   begin: in flight +1, rpm +1
#   E tokens sample alpha ttl_ms slot        end: in flight -1 (never below 0), tpm +tokens,
#                                            latency folded in (sample '-': none)
#   F allowed window_ms cooldown_ms slot     failure; replies 1 when it started a cooldown
#   C ms slot                                cooldown (a longer one running is kept)
#   R flags slot...                          read; flags: 3 of 0/1 for in-flight, usage,
#                                            latency. Replies, per slot, the cooldown ms
#                                            left (<= 0: up) then the figures asked for
#                                            (latency '-' when unknown)
# Returns the replies, one a line (writes reply an empty line); an operation that failed
# (a key of the wrong type) replies "E <error>" and the others still run.
BATCH: Final = """
local if_ttl, usage_ttl = ARGV[2], ARGV[3]

local function fields(text)
  local f = {}
  for w in string.gmatch(text, '%S+') do f[#f + 1] = w end
  return f
end

local function base(slot)
  return (tonumber(slot) - 1) * 6
end

local function cool(key, ms)
  if redis.call('PTTL', key) < ms then redis.call('SET', key, 1, 'PX', ms) end
end

local function begin(f)
  local b = base(f[2])
  redis.call('INCR', KEYS[b + 2])
  redis.call('EXPIRE', KEYS[b + 2], if_ttl)
  redis.call('INCR', KEYS[b + 3])
  redis.call('EXPIRE', KEYS[b + 3], usage_ttl)
  return ''
end

local function finish(f)
  local b = base(f[6])
  if redis.call('DECR', KEYS[b + 2]) < 0 then redis.call('SET', KEYS[b + 2], 0) end
  redis.call('EXPIRE', KEYS[b + 2], if_ttl)
  local tokens = tonumber(f[2])
  if tokens > 0 then
    redis.call('INCRBY', KEYS[b + 4], tokens)
    redis.call('EXPIRE', KEYS[b + 4], usage_ttl)
  end
  if f[3] ~= '-' then
    local sample, alpha = tonumber(f[3]), tonumber(f[4])
    local old = tonumber(redis.call('GET', KEYS[b + 5]) or '')
    local new = sample
    if old then new = old * (1 - alpha) + sample * alpha end
    redis.call('SET', KEYS[b + 5], string.format('%.9g', new), 'PX', f[5])
  end
  return ''
end

local function failure(f)
  local b = base(f[5])
  local n = redis.call('INCR', KEYS[b + 6])
  if n == 1 then redis.call('PEXPIRE', KEYS[b + 6], f[3]) end
  if n <= tonumber(f[2]) then return '0' end
  redis.call('DEL', KEYS[b + 6])
  cool(KEYS[b + 1], tonumber(f[4]))
  return '1'
end

local function cooldown(f)
  cool(KEYS[base(f[3]) + 1], tonumber(f[2]))
  return ''
end

local function read(f)
  local flags = f[2]
  local want_if = string.sub(flags, 1, 1) == '1'
  local want_usage = string.sub(flags, 2, 2) == '1'
  local want_lat = string.sub(flags, 3, 3) == '1'
  local out = {}
  for a = 3, #f do
    local b = base(f[a])
    out[#out + 1] = redis.call('PTTL', KEYS[b + 1])
    if want_if then out[#out + 1] = redis.call('GET', KEYS[b + 2]) or '0' end
    if want_usage then
      out[#out + 1] = redis.call('GET', KEYS[b + 3]) or '0'
      out[#out + 1] = redis.call('GET', KEYS[b + 4]) or '0'
    end
    if want_lat then out[#out + 1] = redis.call('GET', KEYS[b + 5]) or '-' end
  end
  return table.concat(out, ' ')
end

local run = {B = begin, E = finish, F = failure, C = cooldown, R = read}
local out = {}
for op in string.gmatch(ARGV[1], '[^\\n]+') do
  local f = fields(op)
  -- One operation's error (a key of the wrong type) fails that operation alone.
  local ok, reply = pcall(run[f[1]], f)
  if not ok then
    if type(reply) == 'table' then reply = reply.err end
    reply = 'E ' .. string.gsub(tostring(reply), '%s+', ' ')
  end
  out[#out + 1] = reply
end
return table.concat(out, '\\n')
"""
