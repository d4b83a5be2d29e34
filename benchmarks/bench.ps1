#!/usr/bin/env pwsh
# The performance table of README "Performance", every figure from this one run, medians of -Repeats: the broker
# (Release, temp storage, free port) under golog-perf for each workload of issue 14; the peers a user would pick
# instead, started here when installed (Debian's redis-server with appendonly + appendfsync always, nats-server with
# JetStream file storage) under the clients of ../shared/bench/peers (StackExchange.Redis, NATS.Net) and
# redis-benchmark (C); the Kafka door and librdkafka's mock cluster under Confluent.Kafka; the transport null
# servers of ../shared/bench/transport under golog-perf for the 50x1 and 1x1 workloads.
# Usage: dotnet pwsh build.ps1 bench [-Repeats 3] [-Messages 5000000]     (quick: -Repeats 1 -Messages 200000)
#        dotnet pwsh build.ps1 bench -Growth [-Repeats 3] [-Messages 5000000]: batched produce and consume as message
#        size, partitions and producing connections grow, one at a time from 100 B x 1 partition x 1 connection.
param(
    [int] $Repeats = 3,
    [long] $Messages = 5000000,       # batched rows: long enough that the clients' JIT warm-up is a small part of a run
    [long] $SmallMessages = 200000,   # 50x1: ~10-70k msgs/s, so fewer messages keep each run under a minute
    [long] $LatencyMessages = 30000,  # 1x1
    [string] $Transport = (Join-Path $PSScriptRoot '../../shared/bench/transport'),
    [string] $Peers = (Join-Path $PSScriptRoot '../../shared/bench/peers'),
    [int] $WarmMemoryGiB = 6,         # see MemoryWarmup; 0 skips it
    [switch] $Growth
)
$ErrorActionPreference = 'Stop'
$root = Resolve-Path (Join-Path $PSScriptRoot '..')
$work = Join-Path ([IO.Path]::GetTempPath()) ("golog-bench-" + [Guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory $work | Out-Null
$started = [Collections.Generic.List[Diagnostics.Process]]::new()

function Invoke-Checked { & dotnet @args | Out-Host; if ($LASTEXITCODE -ne 0) { throw "dotnet $args failed" } }

function Get-FreePort {
    $l = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $l.Start()
    try { return $l.LocalEndpoint.Port } finally { $l.Stop() }
}

# Starts a server and waits (bounded: 60 s) until $findPort, given the path of the server's log, returns its port.
function Start-Server([string] $dll, [string[]] $arguments, [string] $name, [scriptblock] $findPort) {
    $log = Join-Path $work "$name.log"
    $p = Start-Process dotnet -ArgumentList (@($dll) + $arguments) -RedirectStandardOutput $log -RedirectStandardError "$log.err" -PassThru
    $started.Add($p)
    for ($i = 0; $i -lt 600; $i++) {
        $port = & $findPort $log
        if ($port) { return @{ Process = $p; Port = [int]$port } }
        if ($p.HasExited) { throw "$name exited: $(Get-Content $log -Raw) $(Get-Content "$log.err" -Raw)" }
        Start-Sleep -Milliseconds 100
    }
    throw "$name did not start listening within 60 s"
}

# The broker writes {"json":{"host":...,"port":N}} to its --ports-file once it is listening, atomically: once the
# file exists it is whole.
function Start-Broker([string] $storage, [string] $name) {
    $portsFile = Join-Path $work "$name.ports.json"
    Start-Server $brokerDll @('--port', '0', '--kafka-port', '0', '--http-port', '0', '--storage', $storage, '--ports-file', $portsFile) $name {
        if (Test-Path $portsFile) { (Get-Content $portsFile -Raw | ConvertFrom-Json).json.port }
    }.GetNewClosure()
}

# The transport null servers (../shared, not ours) announce their port only in their log.
function Start-NullServer([string] $name, [string[]] $arguments, [string] $label) {
    Start-Server $nullDlls[$name] $arguments $label {
        param($log)
        $m = [regex]::Match((Get-Content $log -Raw -ErrorAction SilentlyContinue) + '', 'listening on \S+:(\d+)')
        if ($m.Success) { $m.Groups[1].Value }
    }
}

function Stop-Server($server) {
    if (-not $server.Process.HasExited) { $server.Process.Kill(); $server.Process.WaitForExit(10000) | Out-Null }
}

# Waits (bounded: 30 s) until something accepts connections on the loopback port.
function Wait-Port([Diagnostics.Process] $p, [int] $port, [string] $name) {
    for ($i = 0; $i -lt 300; $i++) {
        $c = [Net.Sockets.TcpClient]::new()
        try { $c.Connect([Net.IPAddress]::Loopback, $port); return } catch { } finally { $c.Dispose() }
        if ($p.HasExited) { throw "$name exited before listening: $(Get-Content (Join-Path $work "$name.log") -Raw)" }
        Start-Sleep -Milliseconds 100
    }
    throw "$name did not listen on $port within 30 s"
}

function Start-Peer([string] $exe, [string[]] $arguments, [string] $name, [int] $port) {
    $log = Join-Path $work "$name.log"
    $p = Start-Process $exe -ArgumentList $arguments -RedirectStandardOutput $log -RedirectStandardError "$log.err" -PassThru
    $started.Add($p)
    Wait-Port $p $port $name
    return @{ Process = $p; Port = $port }
}

# Redis at the durability Golog has by default: the AOF fsynced before every reply (group commit per event loop).
function Start-Redis([string] $name) {
    $port = Get-FreePort
    $dir = Join-Path $work $name; New-Item -ItemType Directory $dir | Out-Null
    Start-Peer 'redis-server' @('--bind', '127.0.0.1', '--port', "$port", '--protected-mode', 'yes', '--dir', $dir, '--save', "''",
        '--appendonly', 'yes', '--appendfsync', 'always', '--auto-aof-rewrite-percentage', '0', '--daemonize', 'no') $name $port
}

# NATS JetStream, file storage, R1. Debian's 2.9.10 has no sync setting: a PubAck means written, not fsynced.
function Start-Nats([string] $name) {
    $port = Get-FreePort
    $dir = Join-Path $work $name; New-Item -ItemType Directory $dir | Out-Null
    $conf = Join-Path $dir 'nats.conf'
    Set-Content $conf "listen: 127.0.0.1:$port`njetstream { store_dir: `"$(Join-Path $dir 'js')`", max_file_store: 16G, max_memory_store: 1G }"
    Start-Peer 'nats-server' @('-c', $conf) $name $port
}

# redis-benchmark --csv: a header line, then "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms",...
function Invoke-RedisBenchmark([string] $label, $server, [int] $clients, [int] $pipeline, [long] $n, [string] $key) {
    Write-Host "--- $label"
    $lines = & redis-benchmark -h 127.0.0.1 -p $server.Port -c $clients -P $pipeline -n $n --csv XADD $key '*' f ('x' * 100) 2>&1
    if ($LASTEXITCODE -ne 0) { throw "redis-benchmark $label failed: $($lines -join "`n")" }
    $header = ($lines | Where-Object { "$_" -like '"test"*' } | Select-Object -First 1) -replace '"', '' -split ','
    $values = ($lines | Where-Object { "$_" -like '"XADD*' } | Select-Object -Last 1) -replace '"', '' -split ','
    $kv = @{}
    for ($i = 1; $i -lt $header.Count; $i++) { $kv[$header[$i]] = $values[$i] }
    Write-Host "rps=$($kv['rps']) p50=$($kv['p50_latency_ms']) p99=$($kv['p99_latency_ms']) ms"
    return @{ msgs_per_s = $kv['rps']; p50_ms = $kv['p50_latency_ms']; p99_ms = $kv['p99_latency_ms'] }
}

# The peer clients print "RESULT <what> ... msgs_per_s=N ..."; a run that hit its time bound says TRUNCATED.
function Invoke-PeerClient([string] $label, [string] $dll, [string[]] $arguments) {
    Write-Host "--- $label"
    & dotnet $dll @arguments 2>&1 | Tee-Object -Variable lines | Out-Host
    $result = $lines | Where-Object { "$_" -like 'RESULT *' } | Select-Object -Last 1
    if ($LASTEXITCODE -ne 0 -or -not $result -or "$result" -like '*TRUNCATED*') { throw "$label failed: $($lines -join "`n")" }
    return @{ msgs_per_s = [regex]::Match("$result", 'msgs_per_s=([0-9.]+)').Groups[1].Value }
}

function Get-PeakRssMb($server) {
    $line = Get-Content "/proc/$($server.Process.Id)/status" | Where-Object { $_ -like 'VmHWM:*' }
    return [math]::Round([double](($line -split '\s+')[1]) / 1024, 0)
}

function Invoke-Perf([string] $label, [string[]] $arguments) {
    Write-Host "--- $label"
    & dotnet $perfDll @arguments 2>&1 | Tee-Object -Variable lines | Out-Host
    $result = $lines | Where-Object { "$_" -like 'RESULT *' } | Select-Object -Last 1
    if (-not $result -or "$result" -notmatch 'status=ok') { throw "golog-perf $label failed: $($lines -join "`n")" }
    $kv = @{}
    foreach ($pair in ("$result" -split ' ' | Select-Object -Skip 1)) { $k, $v = $pair -split '=', 2; $kv[$k] = $v }
    return $kv
}

Add-Type -TypeDefinition @'
// A fresh VM's first touch of each guest page is slow (the hypervisor backs it then): on the 2-core Firecracker VM
// the first 2 GiB written to the page cache went at 350 MB/s, the same written again at 3.8-4 GB/s. Whatever ran
// first in a round paid for it (Golog, in this script). Writing and deleting a file once, before any workload, lets
// every server of the run start on memory the VM has already backed, as a long-running machine's is.
public static class MemoryWarmup
{
    public static double[] Run(string dir, int gib)
    {
        var rates = new double[2];
        var chunk = new byte[64 * 1024 * 1024];
        for (int pass = 0; pass < 2; pass++)
        {
            string path = System.IO.Path.Combine(dir, "memory-warmup.tmp");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            using (var file = new System.IO.FileStream(path, System.IO.FileMode.Create, System.IO.FileAccess.Write, System.IO.FileShare.None, 1))
                for (int i = 0; i < gib * 16; i++) file.Write(chunk, 0, chunk.Length);
            rates[pass] = gib * 1024.0 / clock.Elapsed.TotalSeconds;
            System.IO.File.Delete(path);
        }
        return rates;
    }
}

// The floor under every 1 x 1 acknowledgement: a 170-byte write (one seed message as stored) made durable on its
// own, as the broker's sync thread does it (FileStream.Flush(true): fsync), one at a time in the run's temp folder.
public static class DiskFloor
{
    // preallocated: the writes go into zeros written (and fsync'd) first, as the broker's into its preallocated segment
    public static double[] Measure(string dir, int count, bool preallocated)
    {
        string path = System.IO.Path.Combine(dir, "disk-floor.tmp");
        var times = new double[count];
        var record = new byte[170];
        using (var file = new System.IO.FileStream(path, System.IO.FileMode.CreateNew, System.IO.FileAccess.Write, System.IO.FileShare.None, 1))
        {
            if (preallocated)
            {
                file.Write(new byte[record.Length * count], 0, record.Length * count);
                file.Flush(true);
                file.Position = 0;
            }
            for (int i = 0; i < count; i++)
            {
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                file.Write(record, 0, record.Length);
                file.Flush(true);
                times[i] = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }
        System.IO.File.Delete(path);
        System.Array.Sort(times);
        return new[] { times[count / 2], times[count * 99 / 100], times[count * 999 / 1000] };
    }
}
'@

function Get-Median([double[]] $xs) { $s = $xs | Sort-Object; return $s[[int][math]::Floor(($s.Count - 1) / 2)] }

try {
    Write-Host "Building (Release) ..."
    Invoke-Checked build -c Release (Join-Path $root 'src/Golog.Broker') -v q -nologo
    Invoke-Checked build -c Release (Join-Path $root 'src/Golog.Perf') -v q -nologo
    $brokerDll = Join-Path $root 'src/Golog.Broker/bin/Release/net10.0/golog-broker.dll'
    $perfDll = Join-Path $root 'src/Golog.Perf/bin/Release/net10.0/golog-perf.dll'
    # The shared transport folder is read-only: build copies of the null servers here.
    $nullDlls = @{}
    foreach ($name in 'raw-null', 'akka-null') {
        Copy-Item -Recurse (Join-Path $Transport $name) (Join-Path $work $name)
        Invoke-Checked build -c Release (Join-Path $work $name) -o (Join-Path $work "$name-bin") -v q -nologo
        $nullDlls[$name] = Join-Path $work "$name-bin/$name.dll"
    }

    if ($WarmMemoryGiB -gt 0) {
        $warm = [MemoryWarmup]::Run($work, $WarmMemoryGiB)
        Write-Host ("--- memory warm-up: $WarmMemoryGiB GiB written to the page cache at {0:F0} MiB/s, then again at {1:F0} MiB/s" -f $warm[0], $warm[1])
    }

    if ($Growth) {
        # Each point writes at most ~$Messages x 100 B, so 10 KiB messages do not fill the disk; requests stay at
        # <= 1 MiB of messages (the request line limit is 16 MiB), fetches at <= 8 MiB (fetch.max-bytes).
        $points = @(
            @{ Axis = 'baseline'; Size = 100; Partitions = 1; Connections = 1 },
            @{ Axis = 'message size'; Size = 1024; Partitions = 1; Connections = 1 },
            @{ Axis = 'message size'; Size = 10240; Partitions = 1; Connections = 1 },
            @{ Axis = 'partitions'; Size = 100; Partitions = 8; Connections = 1 },
            @{ Axis = 'partitions'; Size = 100; Partitions = 64; Connections = 1 },
            @{ Axis = 'producing connections'; Size = 100; Partitions = 1; Connections = 10 },
            @{ Axis = 'producing connections'; Size = 100; Partitions = 1; Connections = 100 })
        $growthRuns = @{}
        $rss = @()
        for ($r = 1; $r -le $Repeats; $r++) {
            Write-Host "=== growth round $r of $Repeats"
            $storage = Join-Path $work "growth-$r"
            $broker = Start-Broker $storage "growth-broker-$r"
            $b = "localhost:$($broker.Port)"
            Invoke-Perf 'warm-up (not counted)' @('produce', '--broker', $b, '--topic', 'warmup', '--messages', '200000', '--batch', '1000', '--inflight', '4') | Out-Null
            for ($i = 0; $i -lt $points.Count; $i++) {
                $pt = $points[$i]
                $n = [long][math]::Min($Messages, [math]::Floor($Messages * 100 / $pt.Size))
                $batch = [math]::Min(1000, [math]::Floor(1MB / $pt.Size))
                $fetch = [math]::Min(5000, [math]::Floor(8MB / ($pt.Size + 32)))
                $topic = "growth-$i-$r"
                $common = @('--broker', $b, '--topic', $topic, '--messages', "$n", '--size', "$($pt.Size)", '--partitions', "$($pt.Partitions)")
                $produced = Invoke-Perf "produce $($pt.Size) B x $($pt.Partitions) partitions x $($pt.Connections) connections" (@('produce') + $common + @('--batch', "$batch", '--inflight', '4', '--connections', "$($pt.Connections)"))
                $consumed = Invoke-Perf "consume $($pt.Size) B x $($pt.Partitions) partitions" (@('consume') + $common + @('--batch', "$fetch"))
                if (-not $growthRuns[$i]) { $growthRuns[$i] = @() }
                $growthRuns[$i] += , @{ Produce = $produced; Consume = $consumed }
            }
            $rss += Get-PeakRssMb $broker
            Stop-Server $broker
            Remove-Item -Recurse -Force $storage
        }
        $gm = { param($i, $w, $field) Get-Median ($growthRuns[$i] | ForEach-Object { [double]$_[$w][$field] }) }
        Write-Host ""
        Write-Host "Golog growth, medians of $Repeats ($(Get-Date -Format 'yyyy-MM-dd HH:mm') UTC, $([Environment]::ProcessorCount) cores shared by client and broker, fsync before every ack, load average at the end $((Get-Content /proc/loadavg) -split ' ' | Select-Object -First 3)); broker peak RSS $(Get-Median $rss) MB"
        Write-Host "| what grows | message size | partitions | producing connections | messages | batched produce msgs/s | MB/s | ack p99 ms | consume msgs/s | MB/s |"
        Write-Host "|---|---|---|---|---|---|---|---|---|---|"
        for ($i = 0; $i -lt $points.Count; $i++) {
            $pt = $points[$i]
            Write-Host ("| {0} | {1} B | {2} | {3} | {4:N0} | {5:N0} | {6:F1} | {7} | {8:N0} | {9:F1} |" -f $pt.Axis, $pt.Size, $pt.Partitions, $pt.Connections,
                [double]$growthRuns[$i][0].Produce['msgs'], (& $gm $i 'Produce' 'msgs_per_s'), (& $gm $i 'Produce' 'mb_per_s'), (& $gm $i 'Produce' 'p99_ms'),
                (& $gm $i 'Consume' 'msgs_per_s'), (& $gm $i 'Consume' 'mb_per_s'))
        }
        return
    }

    # Peers, when installed: their clients are copied out of the read-only shared folder and built here too.
    $hasRedis = [bool](Get-Command redis-server -ErrorAction SilentlyContinue) -and [bool](Get-Command redis-benchmark -ErrorAction SilentlyContinue)
    $hasNats = [bool](Get-Command nats-server -ErrorAction SilentlyContinue)
    $notes = @()
    if (-not $hasRedis) { $notes += 'Redis: redis-server / redis-benchmark not installed (apt-get install redis-server redis-tools): its columns are empty' }
    if (-not $hasNats) { $notes += 'NATS: nats-server not installed (apt-get install nats-server): its columns are empty' }
    foreach ($n in $notes) { Write-Warning $n }
    $peerDlls = @{}
    foreach ($name in @(if ($hasRedis) { 'redisread' }) + @(if ($hasNats) { 'natsbench' })) {
        Copy-Item -Recurse (Join-Path $Peers $name) (Join-Path $work $name)
        Invoke-Checked build -c Release (Join-Path $work $name) -o (Join-Path $work "$name-bin") -v q -nologo
        $peerDlls[$name] = Join-Path $work "$name-bin/$name.dll"
    }

    $runs = @{}
    function Add-Run([string] $key, $kv) { if (-not $runs[$key]) { $runs[$key] = @() }; $runs[$key] += , $kv }
    $rss = @(); $redisRss = @(); $natsRss = @()
    for ($r = 1; $r -le $Repeats; $r++) {
        Write-Host "=== round $r of $Repeats"
        $storage = Join-Path $work "storage-$r"
        $broker = Start-Broker $storage "broker-$r"
        $b = "localhost:$($broker.Port)"
        Invoke-Perf 'warm-up (not counted)' @('produce', '--broker', $b, '--topic', 'warmup', '--messages', '200000', '--batch', '1000', '--inflight', '4') | Out-Null
        Add-Run 'produce-batched' (Invoke-Perf 'batched produce' @('produce', '--broker', $b, '--topic', "batched-$r", '--messages', $Messages, '--batch', '1000', '--inflight', '4'))
        Add-Run 'consume' (Invoke-Perf 'consume from start' @('consume', '--broker', $b, '--topic', "batched-$r", '--messages', $Messages, '--batch', '5000', '--broker-pid', "$($broker.Process.Id)"))
        Add-Run 'consume-2' (Invoke-Perf 'consume from start, 2 fetches in flight' @('consume', '--broker', $b, '--topic', "batched-$r", '--messages', $Messages, '--batch', '5000', '--inflight', '2', '--broker-pid', "$($broker.Process.Id)"))
        Add-Run 'golog-50x1' (Invoke-Perf '50 x 1 seed produce' @('produce', '--broker', $b, '--topic', "c50-$r", '--messages', $SmallMessages, '--connections', '50', '--seed'))
        Add-Run 'golog-1x1' (Invoke-Perf '1 x 1 seed produce' @('produce', '--broker', $b, '--topic', "c1-$r", '--messages', $LatencyMessages, '--seed'))
        foreach ($into in 'append', 'preallocated') {
            $floor = [DiskFloor]::Measure($work, 5000, $into -eq 'preallocated')
            Write-Host ("--- disk alone, 170 B write + fsync x 5000 ($into): p50 {0:F3} / p99 {1:F3} / p99.9 {2:F3} ms" -f $floor[0], $floor[1], $floor[2])
            Add-Run "disk-1x1-$into" @{ 'msgs_per_s' = 1000 / $floor[0]; 'p50_ms' = $floor[0]; 'p99_ms' = $floor[1]; 'p999_ms' = $floor[2] }
        }
        $kafka = @('--protocol', 'kafka', '--ports-file', (Join-Path $work "broker-$r.ports.json"), '--broker-pid', "$($broker.Process.Id)", '--messages', $Messages)
        Add-Run 'kafka-produce' (Invoke-Perf 'Kafka door produce, acks=all' (@('produce', '--topic', "kafka-$r") + $kafka))
        Add-Run 'kafka-consume' (Invoke-Perf 'Kafka door consume from start' (@('consume', '--topic', "kafka-$r") + $kafka))
        $rss += Get-PeakRssMb $broker
        Stop-Server $broker
        Remove-Item -Recurse -Force $storage
        if ($hasRedis) {
            $redis = Start-Redis "redis-$r"
            Add-Run 'redis-batched' (Invoke-RedisBenchmark 'Redis XADD, 50 clients x pipeline 64' $redis 50 64 $Messages 'batched')
            Add-Run 'redis-consume' (Invoke-PeerClient 'Redis XREAD COUNT 5000 (StackExchange.Redis)' $peerDlls['redisread'] @('xread', "127.0.0.1:$($redis.Port)", 'batched', '5000', '170'))
            Add-Run 'redis-50x1' (Invoke-RedisBenchmark 'Redis XADD, 50 clients x 1' $redis 50 1 $SmallMessages 'c50')
            Add-Run 'redis-1x1' (Invoke-RedisBenchmark 'Redis XADD, 1 client x 1' $redis 1 1 $LatencyMessages 'c1')
            $redisRss += Get-PeakRssMb $redis
            Stop-Server $redis
        }
        if ($hasNats) {
            $nats = Start-Nats "nats-$r"
            $nb = @($peerDlls['natsbench'], '--url', "nats://127.0.0.1:$($nats.Port)", '--size', '100', '--max-secs', '170')
            & dotnet @nb --mode setup | Out-Host
            Add-Run 'nats-batched' (Invoke-PeerClient 'NATS JetStream publish, 1000 PubAcks outstanding' $nb[0] ($nb[1..($nb.Count - 1)] + @('--mode', 'pub-window', '--n', "$Messages", '--window', '1000')))
            Add-Run 'nats-consume' (Invoke-PeerClient 'NATS JetStream pull consumer, batch 5000' $nb[0] ($nb[1..($nb.Count - 1)] + @('--mode', 'consume', '--n', "$Messages", '--batch', '5000')))
            & dotnet @nb --mode setup | Out-Host
            Add-Run 'nats-1x1' (Invoke-PeerClient 'NATS JetStream publish, one at a time' $nb[0] ($nb[1..($nb.Count - 1)] + @('--mode', 'pub-sync', '--n', "$LatencyMessages")))
            $natsRss += Get-PeakRssMb $nats
            Stop-Server $nats
        }
        Add-Run 'mock-produce' (Invoke-Perf 'mock cluster produce, acks=all' @('produce', '--protocol', 'kafka', '--mock', '--messages', $Messages))
        Add-Run 'mock-consume' (Invoke-Perf 'mock cluster consume (what it kept)' @('consume', '--protocol', 'kafka', '--mock', '--messages', $Messages))
        foreach ($name in 'raw-null', 'akka-null') {
            $port = Get-FreePort
            $nullArgs = if ($name -eq 'akka-null') { @("$port", '65536') } else { @("$port") }
            $server = Start-NullServer $name $nullArgs "$name-$r"
            $a = "127.0.0.1:$($server.Port)"
            Add-Run "$name-50x1" (Invoke-Perf "$name 50 x 1" @('produce', '--broker', $a, '--topic', 'n', '--messages', $SmallMessages, '--connections', '50', '--seed'))
            Add-Run "$name-1x1" (Invoke-Perf "$name 1 x 1" @('produce', '--broker', $a, '--topic', 'n', '--messages', $LatencyMessages, '--seed'))
            Stop-Server $server
        }
    }

    # A column's median over the rounds; null when the column did not run (a peer not installed).
    function Med([string] $key, [string] $field) {
        if (-not $runs[$key]) { return $null }
        return Get-Median ($runs[$key] | ForEach-Object { [double]$_[$field] })
    }
    $f = { param($x) if ($null -eq $x) { '' } else { '{0:N0}' -f $x } }
    $ratio = { param($a, $b) if ($null -eq $a -or -not $b) { '' } else { '{0:F2}x' -f ($a / $b) } }
    $lat = { param($key) if (-not $runs[$key]) { '' } else { "p50 $(Med $key 'p50_ms') / p99 $(Med $key 'p99_ms')$(if ($runs[$key][0]['p999_ms']) { " / p99.9 $(Med $key 'p999_ms')" }) ms" } }
    # One row: workload, then Golog, Redis, NATS, raw-null, akka-null as (msgs/s, extra text) and the ratios to Golog.
    function Row([string] $workload, [string] $g, [string] $redis, [string] $nats, [string] $raw, [string] $akka, [string] $goal, [string] $gExtra = '', [string] $rExtra = '', [string] $nExtra = '') {
        $gv = Med $g 'msgs_per_s'
        $cells = @("$(& $f $gv) $gExtra".Trim())
        foreach ($peer in @(@($redis, $rExtra), @($nats, $nExtra), @($raw, ''), @($akka, ''))) {
            $pv = if ($peer[0]) { Med $peer[0] 'msgs_per_s' } else { $null }
            $cells += "$(& $f $pv) $(if ($null -ne $pv) { $peer[1] })".Trim(), (& $ratio $gv $pv)
        }
        Write-Host "| $workload | $($cells -join ' | ') | $goal |"
    }
    Write-Host ""
    Write-Host "Golog and its peers in one run, msgs/s, medians of $Repeats ($(Get-Date -Format 'yyyy-MM-dd HH:mm') UTC, $([Environment]::ProcessorCount) cores shared by clients and servers, 100 B messages, load average at the end $((Get-Content /proc/loadavg) -split ' ' | Select-Object -First 3))"
    foreach ($n in $notes) { Write-Host "Note: $n" }
    Write-Host "| workload | Golog | Redis (appendfsync always) | Golog/Redis | NATS JetStream (file, no fsync) | Golog/NATS | raw-null | Golog/raw-null | akka-null (64 KiB reads) | Golog/akka-null | goal |"
    Write-Host "|---|---|---|---|---|---|---|---|---|---|---|"
    Row "batched produce ($Messages msgs): Golog 1 conn x 4 in flight x 1000/batch; Redis 50 clients x pipeline 64 (redis-benchmark, C); NATS 1000 PubAcks outstanding" 'produce-batched' 'redis-batched' 'nats-batched' '' '' '>= 1.5M and >= 2.5x Redis'
    Row "consume from the start ($Messages msgs): Golog fetches of 5000 in the batches format, 1 in flight, every record verified; Redis XREAD COUNT 5000 (StackExchange.Redis); NATS pull consumer batch 5000" 'consume' 'redis-consume' 'nats-consume' '' '' '>= 1.5M and >= 1.4x Redis' "(broker CPU $(Med 'consume' 'broker_cpu_us_per_msg') us/msg)"
    Row "consume from the start, Golog with 2 fetches in flight (peers as above)" 'consume-2' 'redis-consume' 'nats-consume' '' '' '>= 1.5M and >= 1.4x Redis' "(broker CPU $(Med 'consume-2' 'broker_cpu_us_per_msg') us/msg)"
    Row "produce 1 conn x 1 in flight ($LatencyMessages msgs): Golog seed lines; Redis redis-benchmark -c 1 (C); NATS one PubAck at a time" 'golog-1x1' 'redis-1x1' 'nats-1x1' 'raw-null-1x1' 'akka-null-1x1' 'p99 <= 0.4 ms' (& $lat 'golog-1x1') (& $lat 'redis-1x1')
    Row "produce 50 conns x 1 in flight ($SmallMessages msgs): Golog seed lines; Redis redis-benchmark -c 50 (C)" 'golog-50x1' 'redis-50x1' '' 'raw-null-50x1' 'akka-null-50x1' '>= 0.8x raw-null'
    Write-Host "| the disk alone: 170 B append + fsync, one at a time (msgs/s = 1 / p50) | $(& $lat 'disk-1x1-append') | | | | | | | | | |"
    Write-Host "| the disk alone: 170 B overwrite of zeros + fsync, as into Golog's preallocated segment (the floor under a 1 x 1 ack) | $(& $lat 'disk-1x1-preallocated') | | | | | | | | | |"
    $rssOf = { param($xs) if ($xs.Count) { "$(Get-Median $xs) MB" } else { '' } }
    Write-Host "| server peak RSS (VmHWM) over a round | $(& $rssOf $rss) | $(& $rssOf $redisRss) | | $(& $rssOf $natsRss) | | | | | | < 256 MB (Golog) |"
    Write-Host ""
    Write-Host "| Kafka door, Confluent.Kafka ($Messages msgs) | Golog | librdkafka mock cluster | Golog/mock | goal |"
    Write-Host "|---|---|---|---|---|"
    Write-Host "| produce, acks=all, linger 5 ms | $(& $f (Med 'kafka-produce' 'msgs_per_s')) (broker CPU $(Med 'kafka-produce' 'broker_cpu_us_per_msg') us/msg) | $(& $f (Med 'mock-produce' 'msgs_per_s')) | $(& $ratio (Med 'kafka-produce' 'msgs_per_s') (Med 'mock-produce' 'msgs_per_s')) | >= 0.8x mock |"
    Write-Host "| consume from the start | $(& $f (Med 'kafka-consume' 'msgs_per_s')) (broker CPU $(Med 'kafka-consume' 'broker_cpu_us_per_msg') us/msg) | $(& $f (Med 'mock-consume' 'msgs_per_s')) (of what it kept) | | >= 1,500,000 |"
}
finally {
    foreach ($p in $started) { if (-not $p.HasExited) { $p.Kill() } }
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}
