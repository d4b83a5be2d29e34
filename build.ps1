#!/usr/bin/env pwsh
# Golog build entry point. On a bare machine: `dotnet tool restore` then `dotnet pwsh build.ps1 <target>`.
# Every target is a thin wrapper over plain dotnet commands, which work without this script too.
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'test', 'run', 'publish', 'soak', 'powerloss', 'recovery', 'flood', 'bench')]
    [string] $Target = 'build',
    [Parameter(ValueFromRemainingArguments = $true)]
    [string[]] $Rest = @()
)
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

switch ($Target) {
    'build' { Invoke-Dotnet build Golog.sln -c Release }
    'test'  { & bash tests/run.sh @Rest; if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE } }
    'run'   { Invoke-Dotnet run --project src/Golog.Broker -- @Rest }
    'publish' {
        # Framework-dependent ReadyToRun executables in ./bin (git-ignored): they start without a build, and without
        # most of the JIT work; see README "Fast binaries".
        foreach ($project in 'Golog.Broker', 'Golog.Producer', 'Golog.Consumer', 'Golog.Admin', 'Golog.Perf') {
            Invoke-Dotnet publish "src/$project" -c Release -r linux-x64 --self-contained false '-p:PublishReadyToRun=true' -o bin  # quoted: pwsh would split -p:X=Y at the colon
        }
    }
    'soak'  {
        # The kill -9 chaos test with many rounds (default 500); see README "Guarantees".
        $rounds = if ($Rest.Count -gt 0) { $Rest[0] } else { '500' }
        $env:GOLOG_CHAOS_ROUNDS = $rounds
        Invoke-Dotnet test tests/Golog.EndToEnd.Tests --filter 'FullyQualifiedName~Chaos' --logger 'console;verbosity=detailed'
    }
    'powerloss' {
        # The power-loss simulation with many seeds (default 100000, 3 crash points each); see README "Guarantees".
        $env:GOLOG_SIM_SEEDS = if ($Rest.Count -gt 0) { $Rest[0] } else { '100000' }
        Invoke-Dotnet test tests/Golog.Storage.Tests -c Release --filter 'FullyQualifiedName~PowerLossTests.Nothing' --logger 'console;verbosity=detailed'
    }
    'recovery' {
        # Measures broker start time with a 1 GiB partition (writes 1 GiB to a temp dir); see README "Guarantees".
        $env:GOLOG_RECOVERY_BENCH = '1'
        Invoke-Dotnet test tests/Golog.EndToEnd.Tests -c Release --filter 'FullyQualifiedName~RecoveryTime' --logger 'console;verbosity=detailed'
    }
    'flood' {
        # A well-behaved client's latency without, during and after a flood; see README "Limits and hostile input".
        Invoke-Dotnet run -c Release --project tools/Golog.Flood -- @Rest
    }
    'bench' {
        # Broker + golog-perf per workload, null servers and peers side by side; see README "Performance".
        # "-Repeats 3" pairs and "-Growth" switches: array splatting would pass "-Repeats" as a value
        $named = @{}
        for ($i = 0; $i -lt $Rest.Count; $i++) {
            $name = $Rest[$i].TrimStart('-')
            if ($i + 1 -lt $Rest.Count -and -not "$($Rest[$i + 1])".StartsWith('-')) { $named[$name] = $Rest[++$i] }
            else { $named[$name] = $true }
        }
        & (Join-Path $PSScriptRoot 'benchmarks/bench.ps1') @named
        if (-not $?) { exit 1 }
    }
}
