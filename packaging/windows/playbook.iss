; Inno Setup script for Playbook on Windows (compiled by package.ps1 with ISCC).
;   ISCC /DVersion=1.2.3 /DBundle=C:\path\to\dist\playbook /O<out> playbook.iss
; Silent install (IT):   Playbook-<version>-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /ALLUSERS
; Silent uninstall:      "%ProgramFiles%\Playbook\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART

#ifndef Version
  #error Pass /DVersion=<version>
#endif
#ifndef Bundle
  #error Pass /DBundle=<PyInstaller one-folder output>
#endif

[Setup]
AppId={{7C5E3C52-5B7A-4F7E-9D0B-8C1B6E2A9F41}
AppName=Playbook
AppVersion={#Version}
AppPublisher=Playbook
DefaultDirName={autopf}\Playbook
DefaultGroupName=Playbook
DisableProgramGroupPage=yes
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputBaseFilename=Playbook-{#Version}-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\playbook.exe
; package.ps1 signs playbook.exe before compiling and the installer after it.

[Files]
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Playbook"; Filename: "{app}\playbook.exe"

[Dirs]
; Where IT puts managed.toml; left in place on uninstall.
Name: "{commonappdata}\Playbook"; Flags: uninsneveruninstall

[Run]
Filename: "{app}\playbook.exe"; Description: "Start Playbook"; Flags: nowait postinstall skipifsilent
