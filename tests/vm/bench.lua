-- The vmbench loop (applets/tests/vm/vmbench Bench.work) in Lua 5.4, for `make bench`'s
-- comparison of the card's interpreter with a mainstream bytecode interpreter. Same algorithm,
-- same 16-bit wrap-around (s16), same result. Usage: lua5.4 bench.lua ITERATIONS REPEAT
-- Prints: "<result> <seconds>" (result of one run, CPU seconds of all repeats).
local function s16(x)
  x = x & 0xFFFF
  if x >= 0x8000 then return x - 0x10000 end
  return x
end

local function mix(a, b)
  return s16(s16(a << 1) + (b >> 2) - 3)
end

local function work(arr, n)
  local acc = 0
  for i = 0, n - 1 do
    local j = i & 15
    arr[j] = s16(arr[j] + i)
    acc = s16(acc ~ mix(arr[j], i))
  end
  return acc
end

local n, rep = tonumber(arg[1]), tonumber(arg[2])
local result
local t0 = os.clock()
for _ = 1, rep do
  local arr = {}
  for k = 0, 15 do arr[k] = 0 end
  result = work(arr, n)
end
print(string.format("%d %.6f", result, os.clock() - t0))
