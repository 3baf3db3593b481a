<#
.SYNOPSIS
    Applies one Microsoft Teams tenant setting for access-bot, then reports the result back to the bot.

.DESCRIPTION
    Started only by its Azure Automation webhook. The bot POSTs a signed JSON request
    (adapters/runbook/README.md, tests/fixtures/runbook/request.json):

        X-AccessBot-Timestamp: <unix seconds>
        X-AccessBot-Signature: sha256=<lowercase hex HMAC-SHA256(secret, "<timestamp>.<body>")>
        {"callbackUrl":"https://...","correlationId":"...","id":"...","issuedAt":1763700000,
         "operation":"teams.allowed_domains.add","parameters":{"domain":"fabrikam.com"},
         "requestedBy":{"id":"...","name":"..."},"tenantId":"...","version":1}

    The runbook:
      1. refuses a start that is not a webhook call, a missing/garbled/wrong signature (constant-time
         compare) - without calling back, since nothing in such a request can be trusted;
      2. for a signed request whose timestamp is more than 300 s from this clock, an operation that
         is not on the allow-list below, or an invalid parameter: calls back "failed", changes nothing;
      3. otherwise connects with the Automation account's managed identity
         (Connect-MicrosoftTeams -Identity), reads the setting, and if it is already as wanted
         reports "already_set"; else writes it, reads it back and reports "applied";
         any error reports "failed" with the error message;
      4. POSTs the signed result to callbackUrl:
         {"version":1,"id":"...","operation":"...","status":"applied|already_set|failed",
          "before":{...},"after":{...},"error":"...","jobId":"<Automation job id>"}

    The shared HMAC secret is the encrypted Automation variable 'AccessBotSecret'. Nothing secret is
    written to the job output. Deployment: deploy/runbooks/README.md.

.PARAMETER WebhookData
    Filled in by Azure Automation when the webhook starts the job.
#>
param(
    [Parameter(Mandatory = $false)]
    [object] $WebhookData
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$MaxSkewSeconds = 300
$SecretVariableName = 'AccessBotSecret'
# The bot's rules, written with \A and \z (.NET's $ also matches before a final newline) and with
# explicit letter ranges matched case-sensitively (.NET's case-insensitive [a-z] accepts the Kelvin sign).
$DomainPattern = '\A(?=.{1,253}\z)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\z'
$PolicyPattern = '\A[A-Za-z0-9 _.-]{1,64}\z'

# ---------------------------------------------------------------------------------------------
# Helpers (they return values and never write to the output stream).
# ---------------------------------------------------------------------------------------------

# A property of a PSCustomObject or a key of a dictionary, $null when absent (strict mode throws
# on a missing property otherwise). Key lookup is case-insensitive, as header names are.
function Get-Field {
    param([object] $Object, [string] $Name)
    if ($null -eq $Object) { return $null }
    if ($Object -is [System.Collections.IDictionary]) {
        foreach ($key in @($Object.Keys)) {
            if ([string]::Equals([string]$key, $Name, [System.StringComparison]::OrdinalIgnoreCase)) {
                return $Object[$key]
            }
        }
        return $null
    }
    foreach ($property in $Object.PSObject.Properties) {
        if ([string]::Equals($property.Name, $Name, [System.StringComparison]::OrdinalIgnoreCase)) {
            return $property.Value
        }
    }
    return $null
}

function Get-UnixTime {
    return [System.DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
}

function Get-AccessBotSignature {
    param([string] $Secret, [string] $Timestamp, [byte[]] $Body)
    $prefix = [System.Text.Encoding]::UTF8.GetBytes($Timestamp + '.')
    $message = New-Object byte[] ($prefix.Length + $Body.Length)
    [System.Array]::Copy($prefix, 0, $message, 0, $prefix.Length)
    [System.Array]::Copy($Body, 0, $message, $prefix.Length, $Body.Length)
    $hmac = [System.Security.Cryptography.HMACSHA256]::new([System.Text.Encoding]::UTF8.GetBytes($Secret))
    try {
        $hash = $hmac.ComputeHash($message)
    }
    finally {
        $hmac.Dispose()
    }
    $hex = New-Object System.Text.StringBuilder
    foreach ($b in $hash) { [void]$hex.Append($b.ToString('x2')) }
    return 'sha256=' + $hex.ToString()
}

# Compares in time that depends only on the lengths.
function Test-ConstantTimeEqual {
    param([string] $A, [string] $B)
    if ($A.Length -ne $B.Length) { return $false }
    $diff = 0
    for ($i = 0; $i -lt $A.Length; $i++) {
        $diff = $diff -bor ([int][char]$A[$i] -bxor [int][char]$B[$i])
    }
    return ($diff -eq 0)
}

# 'ok', 'missing', 'malformed', 'mismatch' or 'stale' (same order of checks as the bot's
# verify_signature: 'stale' means authentic but too old, or from the future).
function Test-AccessBotSignature {
    param([string] $Secret, [string] $Timestamp, [string] $Signature, [string] $Body, [long] $Now)
    $ts = $Timestamp.Trim()
    $sig = $Signature.Trim()
    if ($ts.Length -eq 0 -or $sig.Length -eq 0) { return 'missing' }
    if ($ts -cnotmatch '\A[0-9]{1,18}\z' -or $sig -notmatch '\Asha256=[0-9A-Fa-f]{64}\z') { return 'malformed' }
    if ([string]::IsNullOrEmpty($Secret)) { return 'mismatch' }
    $expected = Get-AccessBotSignature -Secret $Secret -Timestamp $ts -Body ([System.Text.Encoding]::UTF8.GetBytes($Body))
    if (-not (Test-ConstantTimeEqual -A $expected -B $sig.ToLowerInvariant())) { return 'mismatch' }
    $when = [long]::Parse($ts, [System.Globalization.CultureInfo]::InvariantCulture)
    if ([System.Math]::Abs($Now - $when) -gt $MaxSkewSeconds) { return 'stale' }
    return 'ok'
}

# Escapes every non-ASCII character as \uXXXX: valid JSON (they occur only inside strings), and the
# signed bytes stay the same whatever a proxy does to the encoding.
function ConvertTo-AsciiJson {
    param([string] $Json)
    return [regex]::Replace($Json, '[^\x00-\x7F]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
}

function Send-AccessBotCallback {
    param([string] $Url, [string] $Secret, [System.Collections.IDictionary] $Payload)
    $json = ConvertTo-AsciiJson -Json (ConvertTo-Json -InputObject $Payload -Compress -Depth 6)
    $bytes = [System.Text.Encoding]::UTF8.GetBytes($json)
    $lastError = $null
    foreach ($wait in @(0, 2, 8)) {
        if ($wait -gt 0) { Start-Sleep -Seconds $wait }
        # A fresh timestamp and signature for every attempt.
        $ts = [string](Get-UnixTime)
        $headers = @{
            'X-AccessBot-Timestamp' = $ts
            'X-AccessBot-Signature' = (Get-AccessBotSignature -Secret $Secret -Timestamp $ts -Body $bytes)
        }
        try {
            $null = Invoke-RestMethod -Method Post -Uri $Url -Headers $headers -Body $bytes `
                -ContentType 'application/json; charset=utf-8' -TimeoutSec 30 -UseBasicParsing
            return
        }
        catch {
            $lastError = $_
        }
    }
    throw "callback to the bot failed after 3 attempts: $($lastError.Exception.Message)"
}

# Checks the request's parameters against the operation: only the declared one, a string matching
# its rule; policy defaults to Global. Returns a hashtable (Domain, Policy).
function Resolve-OperationParameters {
    param([System.Collections.IDictionary] $Entry, [object] $Raw)
    $declared = @($Entry.Parameters)
    $given = @{}
    if ($null -ne $Raw) {
        if ($Raw -is [string] -or $Raw -is [System.ValueType] -or $Raw -is [array]) {
            throw 'parameters must be a JSON object'
        }
        foreach ($property in $Raw.PSObject.Properties) {
            if ($declared -cnotcontains $property.Name) {
                throw "unexpected parameter '$($property.Name)'"
            }
            $given[$property.Name] = $property.Value
        }
    }
    $resolved = @{ Domain = ''; Policy = 'Global' }
    if ($declared -ccontains 'domain') {
        $domain = $given['domain']
        if ($domain -isnot [string] -or $domain -cnotmatch $DomainPattern) {
            throw 'parameter domain is missing or is not a plain DNS name'
        }
        $resolved.Domain = $domain.ToLowerInvariant()
    }
    if ($declared -ccontains 'policy' -and $given.ContainsKey('policy') -and $null -ne $given['policy']) {
        $policy = $given['policy']
        if ($policy -isnot [string] -or $policy -cnotmatch $PolicyPattern) {
            throw 'parameter policy is not a valid policy name'
        }
        $resolved.Policy = $policy
    }
    return $resolved
}

# AllowedDomains is an object: AllowAllKnownDomains (open federation; BlockedDomains applies) or an
# allow list whose AllowedDomain entries carry Domain. $null (or an empty list) blocks everyone.
# UNVERIFIED against a live tenant: the exact shape of the objects the module returns; both the
# object form and plain strings are accepted.
function Get-FederationDomainState {
    param([object] $Config, [string] $Domain)
    $allowed = Get-Field $Config 'AllowedDomains'
    $mode = 'None'
    $list = @()
    if ($null -ne $allowed) {
        $entries = Get-Field $allowed 'AllowedDomain'
        $element = [string](Get-Field $allowed 'Element')
        if ($element -match 'AllowAllKnownDomains' -or [string]$allowed -match 'AllowAllKnownDomains') {
            $mode = 'AllowAllKnownDomains'
        }
        elseif ($null -ne $entries -or $element -match 'AllowList') {
            $mode = 'AllowList'
            foreach ($entry in @($entries)) {
                if ($null -eq $entry) { continue }
                $name = Get-Field $entry 'Domain'
                if ($null -eq $name) { $name = [string]$entry }
                $list += ([string]$name).ToLowerInvariant()
            }
        }
        elseif ($null -eq $allowed.PSObject.Properties['AllowedDomain']) {
            $mode = 'AllowAllKnownDomains'
        }
    }
    $blocked = @()
    foreach ($entry in @(Get-Field $Config 'BlockedDomains')) {
        if ($null -eq $entry) { continue }
        $name = Get-Field $entry 'Domain'
        if ($null -eq $name) { $name = [string]$entry }
        $blocked += ([string]$name).ToLowerInvariant()
    }
    return [ordered]@{
        AllowedDomainsMode  = $mode
        AllowedDomainsCount = $list.Count
        DomainAllowed       = ($list -ccontains $Domain)
        DomainBlocked       = ($blocked -ccontains $Domain)
    }
}

# ---------------------------------------------------------------------------------------------
# The operation allow-list: the same names as is_runbook_operation() in
# adapters/runbook/runbook_executor.cpp (a unit test compares both ways). Each entry:
#   Parameters  the parameter names it takes ('domain' or 'policy'), nothing else is accepted
#   Read        { param($p) } -> an ordered hashtable of the relevant properties (before / after)
#   Satisfied   { param($state, $p) } -> $true when nothing needs to be written
#   Write       { param($p, $state) } -> makes the change (only called when not satisfied)
# ---------------------------------------------------------------------------------------------
# BEGIN OPERATIONS
$Operations = [ordered]@{
    'teams.federation.enable' = @{
        Parameters = @()
        Read       = { param($p)
            $c = Get-CsTenantFederationConfiguration
            [ordered]@{ AllowFederatedUsers = [bool]$c.AllowFederatedUsers }
        }
        Satisfied  = { param($state, $p) $state.AllowFederatedUsers -eq $true }
        Write      = { param($p, $state)
            $null = Set-CsTenantFederationConfiguration -AllowFederatedUsers $true
        }
    }
    'teams.allowed_domains.add' = @{
        Parameters = @('domain')
        Read       = { param($p)
            Get-FederationDomainState -Config (Get-CsTenantFederationConfiguration) -Domain $p.Domain
        }
        Satisfied  = { param($state, $p)
            ($state.AllowedDomainsMode -eq 'AllowList' -and $state.DomainAllowed) -or
            ($state.AllowedDomainsMode -eq 'AllowAllKnownDomains' -and -not $state.DomainBlocked)
        }
        Write      = { param($p, $state)
            if ($state.AllowedDomainsMode -eq 'AllowAllKnownDomains') {
                # Open federation and the domain is blocked: adding it to an allow list could switch
                # the tenant to allow-list mode and cut off every other domain. Refuse instead.
                throw ("$($p.Domain) is in BlockedDomains while federation is open to all known domains; " +
                    'adding it to AllowedDomains would not unblock it and could switch the tenant to allow-list mode. ' +
                    "Remove it from BlockedDomains instead: Set-CsTenantFederationConfiguration -BlockedDomains @{Remove=(New-CsEdgeDomainPattern -Domain `"$($p.Domain)`")}")
            }
            $list = New-Object Collections.Generic.List[String]
            $list.Add($p.Domain)
            $null = Set-CsTenantFederationConfiguration -AllowedDomainsAsAList @{Add = $list }
        }
    }
    'teams.blocked_domains.add' = @{
        Parameters = @('domain')
        Read       = { param($p)
            Get-FederationDomainState -Config (Get-CsTenantFederationConfiguration) -Domain $p.Domain
        }
        Satisfied  = { param($state, $p) [bool]$state.DomainBlocked }
        Write      = { param($p, $state)
            $null = Set-CsTenantFederationConfiguration -BlockedDomains @{Add = (New-CsEdgeDomainPattern -Domain $p.Domain) }
        }
    }
    'teams.consumer_chat.enable' = @{
        Parameters = @()
        Read       = { param($p)
            $c = Get-CsTenantFederationConfiguration
            [ordered]@{
                AllowTeamsConsumer        = [bool]$c.AllowTeamsConsumer
                AllowTeamsConsumerInbound = [bool]$c.AllowTeamsConsumerInbound
            }
        }
        Satisfied  = { param($state, $p) $state.AllowTeamsConsumer -and $state.AllowTeamsConsumerInbound }
        Write      = { param($p, $state)
            $null = Set-CsTenantFederationConfiguration -AllowTeamsConsumer $true -AllowTeamsConsumerInbound $true
        }
    }
    'teams.external_access_policy.enable_federation' = @{
        Parameters = @('policy')
        Read       = { param($p)
            $c = Get-CsExternalAccessPolicy -Identity $p.Policy
            [ordered]@{ Identity = [string]$c.Identity; EnableFederationAccess = [bool]$c.EnableFederationAccess }
        }
        Satisfied  = { param($state, $p) $state.EnableFederationAccess -eq $true }
        Write      = { param($p, $state)
            $null = Set-CsExternalAccessPolicy -Identity $p.Policy -EnableFederationAccess $true
        }
    }
    'teams.guest_access.enable' = @{
        Parameters = @()
        Read       = { param($p)
            $c = Get-CsTeamsClientConfiguration -Identity Global
            [ordered]@{ AllowGuestUser = [bool]$c.AllowGuestUser }
        }
        Satisfied  = { param($state, $p) $state.AllowGuestUser -eq $true }
        Write      = { param($p, $state)
            $null = Set-CsTeamsClientConfiguration -Identity Global -AllowGuestUser $true
        }
    }
    'teams.shared_channels.enable' = @{
        Parameters = @()
        Read       = { param($p)
            $c = Get-CsTeamsChannelsPolicy -Identity Global
            [ordered]@{
                AllowSharedChannelCreation                    = [bool]$c.AllowSharedChannelCreation
                AllowChannelSharingToExternalUser             = [bool]$c.AllowChannelSharingToExternalUser
                AllowUserToParticipateInExternalSharedChannel = [bool]$c.AllowUserToParticipateInExternalSharedChannel
            }
        }
        Satisfied  = { param($state, $p)
            $state.AllowSharedChannelCreation -and $state.AllowChannelSharingToExternalUser -and
            $state.AllowUserToParticipateInExternalSharedChannel
        }
        Write      = { param($p, $state)
            $null = Set-CsTeamsChannelsPolicy -Identity Global -AllowSharedChannelCreation $true `
                -AllowChannelSharingToExternalUser $true -AllowUserToParticipateInExternalSharedChannel $true
        }
    }
    'teams.anonymous_join.enable' = @{
        Parameters = @()
        Read       = { param($p)
            $configuration = Get-CsTeamsMeetingConfiguration -Identity Global
            $policy = Get-CsTeamsMeetingPolicy -Identity Global
            [ordered]@{
                DisableAnonymousJoin             = [bool]$configuration.DisableAnonymousJoin
                AllowAnonymousUsersToJoinMeeting = [bool]$policy.AllowAnonymousUsersToJoinMeeting
            }
        }
        Satisfied  = { param($state, $p) (-not $state.DisableAnonymousJoin) -and $state.AllowAnonymousUsersToJoinMeeting }
        Write      = { param($p, $state)
            if ($state.DisableAnonymousJoin) {
                $null = Set-CsTeamsMeetingConfiguration -Identity Global -DisableAnonymousJoin $false
            }
            if (-not $state.AllowAnonymousUsersToJoinMeeting) {
                $null = Set-CsTeamsMeetingPolicy -Identity Global -AllowAnonymousUsersToJoinMeeting $true
            }
        }
    }
}
# END OPERATIONS

# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

# PowerShell 7 runtimes may hand WebhookData over as a JSON string (Azure Automation known issue).
if ($WebhookData -is [string] -and $WebhookData.Trim().StartsWith('{')) {
    $WebhookData = ConvertFrom-Json -InputObject $WebhookData
}
$RequestBody = Get-Field $WebhookData 'RequestBody'
$RequestHeader = Get-Field $WebhookData 'RequestHeader'
if ($null -eq $WebhookData -or $null -eq (Get-Field $WebhookData 'WebhookName') -or $RequestBody -isnot [string]) {
    throw 'This runbook only runs when started by its access-bot webhook; refusing.'
}

$Secret = Get-AutomationVariable -Name $SecretVariableName
if ([string]::IsNullOrEmpty($Secret)) {
    throw "The Automation variable $SecretVariableName is missing or empty; refusing."
}

$Verdict = Test-AccessBotSignature -Secret $Secret `
    -Timestamp ([string](Get-Field $RequestHeader 'X-AccessBot-Timestamp')) `
    -Signature ([string](Get-Field $RequestHeader 'X-AccessBot-Signature')) `
    -Body $RequestBody -Now (Get-UnixTime)
if ($Verdict -in @('missing', 'malformed', 'mismatch')) {
    # Not from the bot: no callback (its URL cannot be trusted), nothing changed.
    throw "[runbook.signature_$Verdict] request refused."
}

$Request = ConvertFrom-Json -InputObject $RequestBody
$RequestId = [string](Get-Field $Request 'id')
$Operation = [string](Get-Field $Request 'operation')
$CallbackUrl = [string](Get-Field $Request 'callbackUrl')
$RequestedBy = Get-Field $Request 'requestedBy'
if ((Get-Field $Request 'version') -ne 1 -or $RequestId.Length -eq 0 -or $CallbackUrl -cnotmatch '\Ahttps://') {
    throw 'Signed request without version 1, an id or an https callbackUrl; refusing.'
}

$JobId = ''
$Metadata = Get-Variable -Name PSPrivateMetadata -ValueOnly -ErrorAction SilentlyContinue
if ($null -ne $Metadata) {
    $JobIdValue = Get-Field $Metadata 'JobId'
    if ($null -ne $JobIdValue) { $JobId = [string]$JobIdValue }
}

Write-Output ("access-bot request id={0} operation={1} tenant={2} correlation={3} requestedBy={4} ({5})" -f `
        $RequestId, $Operation, [string](Get-Field $Request 'tenantId'), [string](Get-Field $Request 'correlationId'),
    [string](Get-Field $RequestedBy 'name'), [string](Get-Field $RequestedBy 'id'))

$Result = [ordered]@{
    version   = 1
    id        = $RequestId
    operation = $Operation
    status    = 'failed'
    before    = $null
    after     = $null
    error     = ''
    jobId     = $JobId
}
$Connected = $false
try {
    if ($Verdict -eq 'stale') {
        throw "the request is more than $MaxSkewSeconds s old (or from the future); nothing was changed. Try again."
    }
    # Exact case, as in the bot ([ordered] dictionaries compare keys case-insensitively).
    if (@($Operations.Keys) -cnotcontains $Operation) {
        throw "operation '$Operation' is not on this runbook's allow-list; nothing was changed."
    }
    $Entry = $Operations[$Operation]
    $Parameters = Resolve-OperationParameters -Entry $Entry -Raw (Get-Field $Request 'parameters')

    $null = Connect-MicrosoftTeams -Identity
    $Connected = $true

    $Before = & $Entry.Read $Parameters
    $Result.before = $Before
    if (& $Entry.Satisfied $Before $Parameters) {
        $Result.status = 'already_set'
        $Result.after = $Before
    }
    else {
        & $Entry.Write $Parameters $Before
        $After = & $Entry.Read $Parameters
        $Result.after = $After
        $Result.status = 'applied'
        if (-not (& $Entry.Satisfied $After $Parameters)) {
            $Result.error = 'written, but reading it back does not show the change yet (Teams settings can take a while to propagate)'
        }
    }
}
catch {
    $Result.status = 'failed'
    $Message = [string]$_.Exception.Message
    if ($Message.Length -gt 500) { $Message = $Message.Substring(0, 500) }
    $Result.error = $Message
}
finally {
    if ($Connected) {
        try { $null = Disconnect-MicrosoftTeams } catch { Write-Warning "Disconnect-MicrosoftTeams failed: $($_.Exception.Message)" }
    }
}

Write-Output ("access-bot result id={0} operation={1} status={2} error={3}" -f $RequestId, $Operation, $Result.status, $Result.error)
Send-AccessBotCallback -Url $CallbackUrl -Secret $Secret -Payload $Result
Write-Output ("access-bot callback sent id={0}" -f $RequestId)
