<#
  Package and sign Playbook for Windows. Called by packaging/build.py (make dist) after
  PyInstaller; cannot run on the Linux build machine (see packaging/README.md).

  Signing, with either:
    PLAYBOOK_SIGN_CERT_SHA1   thumbprint of a code-signing certificate in the cert store
                              (an EV certificate on a hardware token works this way), or
    PLAYBOOK_SIGN_PFX         path to a .pfx file, with PLAYBOOK_SIGN_PFX_PASSWORD
  PLAYBOOK_TIMESTAMP_URL      RFC 3161 timestamp server (default: http://timestamp.digicert.com)
  Set PLAYBOOK_UNSIGNED=1 to skip signing (a build IT cannot trust).

  Needs: signtool.exe (Windows SDK) and ISCC.exe (Inno Setup 6) on PATH.
#>
param(
    [Parameter(Mandatory = $true)][string]$Version,
    [Parameter(Mandatory = $true)][string]$Bundle,
    [Parameter(Mandatory = $true)][string]$Out
)
$ErrorActionPreference = "Stop"
$here = Split-Path -Parent $MyInvocation.MyCommand.Path
$timestamp = if ($env:PLAYBOOK_TIMESTAMP_URL) { $env:PLAYBOOK_TIMESTAMP_URL } else { "http://timestamp.digicert.com" }

function Sign-File([string]$Path) {
    if ($env:PLAYBOOK_UNSIGNED -eq "1") { Write-Warning "Not signing $Path (PLAYBOOK_UNSIGNED=1)"; return }
    $args = @("sign", "/fd", "SHA256", "/tr", $timestamp, "/td", "SHA256", "/d", "Playbook")
    if ($env:PLAYBOOK_SIGN_CERT_SHA1) {
        $args += @("/sha1", $env:PLAYBOOK_SIGN_CERT_SHA1)
    } elseif ($env:PLAYBOOK_SIGN_PFX) {
        $args += @("/f", $env:PLAYBOOK_SIGN_PFX, "/p", $env:PLAYBOOK_SIGN_PFX_PASSWORD)
    } else {
        throw "Set PLAYBOOK_SIGN_CERT_SHA1 or PLAYBOOK_SIGN_PFX to sign (or PLAYBOOK_UNSIGNED=1)."
    }
    & signtool @args $Path
    if ($LASTEXITCODE -ne 0) { throw "signtool could not sign $Path" }
    & signtool verify /pa /v $Path | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "signtool verify rejected $Path" }
}

New-Item -ItemType Directory -Force -Path $Out | Out-Null
# Sign every executable and DLL we ship that is not already signed by its vendor.
Get-ChildItem -Path $Bundle -Recurse -Include *.exe, *.dll, *.pyd | ForEach-Object {
    $sig = Get-AuthenticodeSignature $_.FullName
    if ($sig.Status -ne "Valid") { Sign-File $_.FullName }
}
& ISCC "/DVersion=$Version" "/DBundle=$Bundle" "/O$Out" (Join-Path $here "playbook.iss")
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
$installer = Join-Path $Out "Playbook-$Version-setup.exe"
Sign-File $installer
Write-Host "Built $installer"
