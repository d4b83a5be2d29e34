#!/usr/bin/env pwsh
# The performance table of README "Performance": the broker (Release, temp storage, free port) under golog-perf for
# each workload of issue 6, the Kafka door and librdkafka's mock cluster under Confluent.Kafka (golog-perf
# --protocol kafka, issue 11), the transport null servers of ../shared/bench/transport under the same client for the
# 50x1 and 1x1 workloads, in the same run, medians of -Repeats. Peer figures come from
# ../shared/bench/peers/RESULTS-2026-11-24.md (run-all.sh takes ~15 min and writes into its own read-only folder).
# Usage: dotnet pwsh build.ps1 bench [-Repeats 3] [-Messages 1000000]
param(
    [int] $Repeats = 3,
    [long] $Messages = 1000000,
    [long] $SmallMessages = 200000,   # 50x1: ~10-70k msgs/s, so fewer messages keep each run under a minute
    [long] $LatencyMessages = 30000,  # 1x1
    [string] $Transport = (Join-Path $PSScriptRoot '../../shared/bench/transport')
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

    $runs = @{}
    function Add-Run([string] $key, $kv) { if (-not $runs[$key]) { $runs[$key] = @() }; $runs[$key] += , $kv }
    $rss = @()
    for ($r = 1; $r -le $Repeats; $r++) {
        Write-Host "=== round $r of $Repeats"
        $storage = Join-Path $work "storage-$r"
        $broker = Start-Broker $storage "broker-$r"
        $b = "localhost:$($broker.Port)"
        Invoke-Perf 'warm-up (not counted)' @('produce', '--broker', $b, '--topic', 'warmup', '--messages', '200000', '--batch', '1000', '--inflight', '4') | Out-Null
        Add-Run 'produce-batched' (Invoke-Perf 'batched produce' @('produce', '--broker', $b, '--topic', "batched-$r", '--messages', $Messages, '--batch', '1000', '--inflight', '4'))
        Add-Run 'consume' (Invoke-Perf 'consume from start' @('consume', '--broker', $b, '--topic', "batched-$r", '--messages', $Messages, '--batch', '5000'))
        Add-Run 'golog-50x1' (Invoke-Perf '50 x 1 seed produce' @('produce', '--broker', $b, '--topic', "c50-$r", '--messages', $SmallMessages, '--connections', '50', '--seed'))
        Add-Run 'golog-1x1' (Invoke-Perf '1 x 1 seed produce' @('produce', '--broker', $b, '--topic', "c1-$r", '--messages', $LatencyMessages, '--seed'))
        $kafka = @('--protocol', 'kafka', '--ports-file', (Join-Path $work "broker-$r.ports.json"), '--broker-pid', "$($broker.Process.Id)", '--messages', $Messages)
        Add-Run 'kafka-produce' (Invoke-Perf 'Kafka door produce, acks=all' (@('produce', '--topic', "kafka-$r") + $kafka))
        Add-Run 'kafka-consume' (Invoke-Perf 'Kafka door consume from start' (@('consume', '--topic', "kafka-$r") + $kafka))
        $rss += Get-PeakRssMb $broker
        Stop-Server $broker
        Remove-Item -Recurse -Force $storage
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

    function Med([string] $key, [string] $field) { return Get-Median ($runs[$key] | ForEach-Object { [double]$_[$field] }) }
    $g = @{
        batched = Med 'produce-batched' 'msgs_per_s'; consume = Med 'consume' 'msgs_per_s'
        c50 = Med 'golog-50x1' 'msgs_per_s'; c1 = Med 'golog-1x1' 'msgs_per_s'; c1p99 = Med 'golog-1x1' 'p99_ms'
        raw50 = Med 'raw-null-50x1' 'msgs_per_s'; akka50 = Med 'akka-null-50x1' 'msgs_per_s'
        kp = Med 'kafka-produce' 'msgs_per_s'; kpCpu = Med 'kafka-produce' 'broker_cpu_us_per_msg'; mp = Med 'mock-produce' 'msgs_per_s'
        kc = Med 'kafka-consume' 'msgs_per_s'; kcCpu = Med 'kafka-consume' 'broker_cpu_us_per_msg'; mc = Med 'mock-consume' 'msgs_per_s'
        raw1 = Med 'raw-null-1x1' 'msgs_per_s'; raw1p99 = Med 'raw-null-1x1' 'p99_ms'; akka1 = Med 'akka-null-1x1' 'msgs_per_s'
    }
    # Peer figures (fsync-always where there is one): RESULTS-2026-11-24.md rows R2, R1, R5.
    $peer = @{ batched = 605327; c50 = 75924; consume = 1077905 }
    $f = { param($x) '{0:N0}' -f $x }
    $ratio = { param($a, $b) '{0:F2}x' -f ($a / $b) }
    Write-Host ""
    Write-Host "Golog performance, medians of $Repeats ($(Get-Date -Format 'yyyy-MM-dd HH:mm') UTC, $([Environment]::ProcessorCount) cores, 100 B messages)"
    Write-Host "| workload | Golog | peer (Redis fsync always, from RESULTS-2026-11-24) | Golog/peer | raw-null | Golog/raw-null | akka-null (64 KiB reads) | Golog/akka-null | target |"
    Write-Host "|---|---|---|---|---|---|---|---|---|"
    Write-Host "| batched produce, 1 conn x 4 in flight, 1000/batch ($Messages msgs) | $(& $f $g.batched) msgs/s | $(& $f $peer.batched) (P=64) | $(& $ratio $g.batched $peer.batched) | | | | | >= 1,000,000 |"
    Write-Host "| produce, 50 conns x 1 in flight, seed lines ($SmallMessages msgs) | $(& $f $g.c50) msgs/s | $(& $f $peer.c50) | $(& $ratio $g.c50 $peer.c50) | $(& $f $g.raw50) | $(& $ratio $g.c50 $g.raw50) | $(& $f $g.akka50) | $(& $ratio $g.c50 $g.akka50) | >= 0.8x raw-null |"
    Write-Host "| produce, 1 conn x 1 in flight, seed lines ($LatencyMessages msgs) | $(& $f $g.c1) msgs/s, p99 $($g.c1p99) ms | | | $(& $f $g.raw1), p99 $($g.raw1p99) ms | $(& $ratio $g.c1 $g.raw1) | $(& $f $g.akka1) | $(& $ratio $g.c1 $g.akka1) | p99 < 1 ms |"
    Write-Host "| consume from start, fetches of 5000 ($Messages msgs) | $(& $f $g.consume) msgs/s | $(& $f $peer.consume) (XREAD 1000) | $(& $ratio $g.consume $peer.consume) | | | | | >= 1,500,000 |"
    Write-Host "| Kafka door produce, Confluent.Kafka acks=all linger 5 ms ($Messages msgs) | $(& $f $g.kp) msgs/s, broker CPU $($g.kpCpu) us/msg | mock cluster $(& $f $g.mp) | $(& $ratio $g.kp $g.mp) of mock | | | | | >= 0.8x mock |"
    Write-Host "| Kafka door consume from start, Confluent.Kafka ($Messages msgs) | $(& $f $g.kc) msgs/s, broker CPU $($g.kcCpu) us/msg | mock cluster $(& $f $g.mc) (of what it kept) | | | | | | >= 1,500,000 |"
    Write-Host "| broker peak RSS (VmHWM) over a round | $(Get-Median $rss) MB | | | | | | | < 256 MB |"
}
finally {
    foreach ($p in $started) { if (-not $p.HasExited) { $p.Kill() } }
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}
