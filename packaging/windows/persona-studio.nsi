; Persona Studio — Windows installer (NSIS 3, Modern UI 2).
; Compile after the PyInstaller bundle is built:
;   makensis /DVERSION=0.1.0 /DBUNDLE_DIR=dist\persona-studio /DOUT_FILE=persona-studio-0.1.0-setup.exe packaging\windows\persona-studio.nsi
; BUNDLE_DIR holds studio.exe (console CLI), persona-studio.exe (windowed) and _internal\.
; NSIS installers are limited to 2 GB of data: a CPU-torch bundle fits, a CUDA-torch one does not
; (ship the CUDA build as a .zip of the bundle instead).

Unicode true
!include "MUI2.nsh"

!ifndef VERSION
  !define VERSION "0.1.0"
!endif
!ifndef BUNDLE_DIR
  !define BUNDLE_DIR "..\..\dist\persona-studio"
!endif
!ifndef OUT_FILE
  !define OUT_FILE "persona-studio-${VERSION}-setup.exe"
!endif
!define APP "Persona Studio"
!define PROGID "PersonaStudio.Project"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\PersonaStudio"

Name "${APP} ${VERSION}"
OutFile "${OUT_FILE}"
InstallDir "$PROGRAMFILES64\${APP}"
InstallDirRegKey HKLM "Software\PersonaStudio" "InstallDir"
RequestExecutionLevel admin
SetCompressor /SOLID lzma
BrandingText "${APP} ${VERSION}"

!define MUI_ICON "persona-studio.ico"
!define MUI_UNICON "persona-studio.ico"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\persona-studio.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Start ${APP}"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_LICENSE "gpl-3.0-notice.txt"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${APP}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "LegalCopyright" "GPL-3.0-or-later"
VIAddVersionKey "FileDescription" "${APP} installer"

Section "Persona Studio" SecMain
  SectionIn RO
  SetShellVarContext all
  SetOutPath "$INSTDIR"
  File /r "${BUNDLE_DIR}\*.*"
  File "persona-studio.ico"
  WriteRegStr HKLM "Software\PersonaStudio" "InstallDir" "$INSTDIR"

  ; Start menu
  CreateDirectory "$SMPROGRAMS\${APP}"
  CreateShortCut "$SMPROGRAMS\${APP}\${APP}.lnk" "$INSTDIR\persona-studio.exe" "" "$INSTDIR\persona-studio.ico"
  CreateShortCut "$SMPROGRAMS\${APP}\Uninstall ${APP}.lnk" "$INSTDIR\uninstall.exe"

  ; `studio` from Win+R and ShellExecute (App Paths; the console PATH is left alone)
  WriteRegStr HKLM "Software\Microsoft\Windows\CurrentVersion\App Paths\studio.exe" "" "$INSTDIR\studio.exe"

  ; Projects: a ProgID that opens a project in the window
  WriteRegStr HKCR "${PROGID}" "" "Persona Studio project"
  WriteRegStr HKCR "${PROGID}\DefaultIcon" "" "$INSTDIR\persona-studio.ico"
  WriteRegStr HKCR "${PROGID}\shell\open\command" "" '"$INSTDIR\persona-studio.exe" "%1"'
  ; project.json: offered under "Open with" without taking .json away from the user's editor
  WriteRegStr HKCR ".json\OpenWithProgids" "${PROGID}" ""
  WriteRegStr HKCR "Applications\persona-studio.exe\shell\open\command" "" '"$INSTDIR\persona-studio.exe" "%1"'
  WriteRegStr HKCR "Applications\persona-studio.exe\SupportedTypes" ".json" ""
  ; NAME.persona folders: "Open in Persona Studio" on folders whose name ends in .persona
  WriteRegStr HKCR "Directory\shell\PersonaStudio" "" "Open in ${APP}"
  WriteRegStr HKCR "Directory\shell\PersonaStudio" "Icon" "$INSTDIR\persona-studio.ico"
  WriteRegStr HKCR "Directory\shell\PersonaStudio" "AppliesTo" 'System.FileName:~~"*.persona"'
  WriteRegStr HKCR "Directory\shell\PersonaStudio\command" "" '"$INSTDIR\persona-studio.exe" "%1"'

  ; Apps & features
  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINST_KEY}" "Publisher" "Persona Studio developers"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\persona-studio.ico"
  WriteRegStr HKLM "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoRepair" 1
  ; tell Explorer that associations changed (SHCNE_ASSOCCHANGED)
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, i 0, i 0)'
SectionEnd

Section "Uninstall"
  SetShellVarContext all
  Delete "$SMPROGRAMS\${APP}\${APP}.lnk"
  Delete "$SMPROGRAMS\${APP}\Uninstall ${APP}.lnk"
  RMDir "$SMPROGRAMS\${APP}"
  DeleteRegKey HKCR "${PROGID}"
  DeleteRegValue HKCR ".json\OpenWithProgids" "${PROGID}"
  DeleteRegKey HKCR "Applications\persona-studio.exe"
  DeleteRegKey HKCR "Directory\shell\PersonaStudio"
  DeleteRegKey HKLM "Software\Microsoft\Windows\CurrentVersion\App Paths\studio.exe"
  DeleteRegKey HKLM "${UNINST_KEY}"
  DeleteRegKey HKLM "Software\PersonaStudio"
  ; the bundle only — user projects and downloaded models live elsewhere and are kept
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\studio.exe"
  Delete "$INSTDIR\persona-studio.exe"
  Delete "$INSTDIR\persona-studio.ico"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, i 0, i 0)'
SectionEnd
