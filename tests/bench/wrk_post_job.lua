-- wrk script for bench_service.sh: every request is POST /v1/jobs?wait=30
-- (the path comes from wrk's URL) with one small job, a linear model on
-- generated data, and a seed of its own, so no two jobs are the same:
--   {"data": {"generate": {"kind": "linear", "n": ROWS, "seed": S}},
--    "epochs": EPOCHS, "seed": S}
-- S = BASE + thread number * 10,000,000 + a per-thread counter.
--
-- Usage: wrk -s wrk_post_job.lua URL -- [BASE [ROWS [EPOCHS]]]
--   defaults: BASE 0, ROWS 100, EPOCHS 100
--
-- Every answer is checked: 200 with "status":"succeeded" counts as a
-- finished job; any other status is counted by code. done() prints one
-- line after wrk's own report:
--   jobs ok=N not_succeeded=N non200=N jobs_per_s=X codes=202:3,429:1
-- (codes= is empty when every answer was 200).

local threads = {}
local nthreads = 0

function setup(thread)
    nthreads = nthreads + 1
    thread:set("thread_no", nthreads)
    table.insert(threads, thread)
end

function init(args)
    base = tonumber(args[1] or "0") or 0
    rows = tonumber(args[2] or "100") or 100
    epochs = tonumber(args[3] or "100") or 100
    counter = 0
    ok = 0
    not_succeeded = 0
    non200 = 0
    codes = {}
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
end

function request()
    counter = counter + 1
    local seed = base + (thread_no or 0) * 10000000 + counter
    local body = string.format(
        '{"data": {"generate": {"kind": "linear", "n": %d, "seed": %d}}, "epochs": %d, "seed": %d}',
        rows, seed, epochs, seed)
    return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
    if status == 200 then
        if body and string.find(body, '"status":"succeeded"', 1, true) then
            ok = ok + 1
        else
            not_succeeded = not_succeeded + 1
        end
    else
        non200 = non200 + 1
        local k = tostring(status)
        codes[k] = (codes[k] or 0) + 1
    end
end

function done(summary, latency, requests)
    local t_ok, t_ns, t_non = 0, 0, 0
    local all = {}
    for _, t in ipairs(threads) do
        t_ok = t_ok + (t:get("ok") or 0)
        t_ns = t_ns + (t:get("not_succeeded") or 0)
        t_non = t_non + (t:get("non200") or 0)
        local c = t:get("codes") or {}
        for k, v in pairs(c) do all[k] = (all[k] or 0) + v end
    end
    local parts = {}
    for k, v in pairs(all) do table.insert(parts, k .. ":" .. v) end
    table.sort(parts)
    local secs = summary.duration / 1e6
    io.write(string.format("jobs ok=%d not_succeeded=%d non200=%d jobs_per_s=%.2f codes=%s\n",
        t_ok, t_ns, t_non, secs > 0 and t_ok / secs or 0, table.concat(parts, ",")))
end
