"""A deterministic demo catalogue shaped like AMO's own v3 JSON (standard library only).

Add-ons follow the v3 add-on detail object and versions the v3 version detail object
(/work/shared/spec/amo-v3-addons.rst), so the AMO importer reads them. Server-derived links (url,
edit_url, review_url, ratings_url, versions_url, icons) are left out; icon_url is null. Extra keys:

* ``featured_for``: ``[{"app": "firefox"|"android", "locale": str|None}]``, featured add-ons only
  (``locale`` None = every language).
* ``versions``: older version objects (same shape as ``current_version``), oldest first; present
  only when there are any.
* ``target_locale``, ``locale_disambiguation`` (str|None): dictionaries and language packs only
  (AMO shows them on the language-tools endpoint).
* ``eula``, ``privacy_policy``: translated object or None (AMO's eula_policy endpoint).
* ``created``: creation date of the add-on (AMO v4+ has it; v3's table does not list it).
* ``promoted``: v5's list of promoted groups (``[{"category": str, "apps": [str]}]``), promoted
  add-ons only.
* version ``is_deleted``: True on a deleted version; absent on the others.
"""

import hashlib
import random
import uuid
from datetime import datetime, timedelta, timezone
from functools import partial
from itertools import count

SEED = 20240301
FIRST_ADDON_ID = 1001
FIRST_VERSION_ID = 500001
FIRST_FILE_ID = 800001
NOW = datetime(2026, 1, 31, 18, 0, tzinfo=timezone.utc)

APPS = {  # name -> (AMO id, guid, pretty name), for compat overrides
    "firefox": (1, "{ec8030f7-c20a-464f-9b0e-13a3a9e97384}", "Firefox"),
    "android": (61, "{aa3c5121-dab2-40e2-81ca-7ea25febc110}", "Firefox for Android"),
}
FX_MINS = ["57.0", "78.0", "91.0", "115.0", "128.0"]
ANDROID_MINS = ["91.0", "113.0", "120.0", "128.0"]
LANGPACK_RELEASES = {"115": "2023-07-04", "128": "2024-07-09", "140": "2025-06-24"}

# username -> (id, display name)
AUTHORS = {
    "mkowalski": (9001, "Marta Kowalski"), "jbecker": (9002, "Jonas Becker"),
    "cdubois": (9003, "Claire Dubois"), "htanaka": (9004, "Hiroshi Tanaka"),
    "asouza": (9005, "Ana Souza"), "praman": (9006, "Priya Raman"),
    "twhitfield": (9007, "Tom Whitfield"), "lhoffmann": (9008, "Lena Hoffmann"),
    "dmartin": (9009, "Diego Martín"), "sokafor": (9010, "Sam Okafor"),
    "privacylabs": (9011, "Privacy Labs"), "tabworks": (9012, "Tabworks"),
    "studio-aurora": (9013, "Studio Aurora"), "l10n-team": (9014, "Firefox Localization Team"),
    "librespell": (9015, "LibreSpell Community"), "nvolkova": (9016, "Nadia Volkova"),
    "ebrennan": (9017, "Eoin Brennan"), "ykimura": (9018, "Yuki Kimura"),
    "devtools-guild": (9019, "DevTools Guild"), "rsantos": (9020, "Rafael Santos"),
}

LICENSES = {
    "mpl": ({"en-US": "Mozilla Public License 2.0"}, "https://www.mozilla.org/MPL/2.0/", None),
    "mit": ({"en-US": "The MIT License"}, "https://opensource.org/licenses/mit-license.php", None),
    "gpl": ({"en-US": "GNU General Public License v3.0"}, "https://www.gnu.org/licenses/gpl-3.0.html", None),
    "cc-by": ({"en-US": "Creative Commons Attribution 3.0"}, "https://creativecommons.org/licenses/by/3.0/", None),
    "arr": ({"en-US": "All Rights Reserved"}, None, {"en-US": (
        "Copyright (c) {year} {author}. All rights reserved.\n\nYou may install and use this add-on "
        "for personal, non-commercial purposes. You may not copy, modify, redistribute or sell it "
        "without prior written permission.")}),
}
OPEN_LICENSES = {"mpl", "mit", "gpl", "cc-by"}

# Permissions by an extension's first category; PERMISSION_OVERRIDES wins when present.
PERMISSIONS = {
    "privacy-security": ["storage", "tabs", "webRequest", "webRequestBlocking", "webNavigation", "<all_urls>"],
    "tabs": ["tabs", "sessions", "storage", "menus", "tabHide"],
    "bookmarks": ["bookmarks", "storage", "history"],
    "download-management": ["downloads", "downloads.open", "menus", "notifications", "storage"],
    "appearance": ["storage", "tabs", "<all_urls>"],
    "feeds-news-blogging": ["storage", "alarms", "notifications", "*://*/*"],
    "language-support": ["storage", "menus", "activeTab", "<all_urls>"],
    "photos-music-videos": ["storage", "tabs", "downloads", "activeTab"],
    "productivity": ["storage", "alarms", "notifications", "tabs"],
    "search-tools": ["search", "menus", "storage"],
    "shopping": ["storage", "alarms", "notifications", "*://*/*"],
    "social-communication": ["storage", "*://*.example-social.com/*"],
    "web-development": ["activeTab", "scripting", "webRequest", "storage", "<all_urls>"],
    "alerts-updates": ["alarms", "notifications", "storage", "*://*/*"],
    "games-entertainment": ["storage"],
    "other": ["tabs", "sessions", "menus"],
}
PERMISSION_OVERRIDES = {
    "keynest-password-manager": ["storage", "tabs", "activeTab", "clipboardWrite", "nativeMessaging", "<all_urls>"],
    "container-tabs-helper": ["contextualIdentities", "cookies", "tabs", "storage"],
    "cookie-cleaner": ["cookies", "browsingData", "tabs", "storage", "<all_urls>"],
    "user-agent-switcher": ["webRequest", "webRequestBlocking", "storage", "<all_urls>"],
    "screenshot-studio": ["activeTab", "downloads", "storage", "clipboardWrite"],
    "tubetweak": ["storage", "*://*.youtube.com/*", "*://*.youtube-nocookie.com/*"],
    "video-downloader-plus": ["downloads", "storage", "tabs", "webRequest", "<all_urls>"],
    "music-controls": ["tabs", "notifications", "storage", "*://*.youtube.com/*"],
}

FILE_SIZES = {"extension": (20_000, 3_500_000), "persona": (5_000, 400_000), "dictionary": (300_000, 1_500_000),
              "language": (400_000, 700_000), "search": (2_000, 10_000)}
LANG_NAMES = {"fr": "French", "de": "German", "pt-BR": "Brazilian Portuguese", "en-GB": "British English",
              "ja": "Japanese", "es-ES": "Spanish (Spain)"}

TAG_FEATURES = {
    "privacy": "Blocks third-party trackers and strips tracking parameters from links.",
    "security": "Warns you about known malicious and phishing domains before the page loads.",
    "ad blocker": "Removes ads and sponsored content, with a per-site allow list.",
    "tabs": "Keyboard shortcuts for moving, pinning and duplicating tabs.",
    "productivity": "Syncs your settings across devices through Firefox Sync.",
    "youtube": "Works on YouTube, including players embedded on other sites.",
    "video": "Remembers your preferred quality and playback speed.",
    "dark mode": "Follows your system's light or dark preference automatically.",
    "accessibility": "Fully usable with the keyboard and with screen readers.",
    "download": "Resumes interrupted downloads and shows progress on the toolbar button.",
    "social": "Works on the big social networks and on self-hosted instances.",
    "search": "Supports every search engine installed in Firefox.",
    "shopping": "Price history charts for thousands of online shops.",
    "developer": "Copy results as JSON, cURL or CSS with one click.",
    "translation": "Detects the language of the page automatically.",
    "bookmarks": "Finds duplicate and broken bookmarks.",
    "notifications": "Quiet hours, so notifications never wake you up at night.",
    "screenshot": "Annotate captures with arrows, text and blur boxes.",
    "reader": "Adjustable fonts, line width and colour schemes.",
    "spelling": "Personal word lists that sync between devices.",
}
GENERIC_FEATURES = [
    "No account required and no telemetry.",
    "Options page with import and export of your settings.",
    "Light on memory: nothing runs until you need it.",
    "Translated into more than 20 languages by volunteers.",
    "A toolbar button and a context-menu entry, both optional.",
]
CLOSINGS = [
    'Found a bug or have an idea? Tell us on <a href="{link}">the project page</a>.',
    '<b>Note:</b> after updating, check the options page for new settings. Changelog: <a href="{link}">{link}</a>',
    'Source code, documentation and FAQ: <a href="{link}">{link}</a>',
]
TYPE_BLURBS = {
    "persona": "<b>{name}</b> is a static theme: it recolours the toolbar, tabs and address bar and works "
               "with both light and dark system settings.\n\nHand-made, with no heavy background images "
               "to slow down startup.",
    "dictionary": "Adds <b>{lang}</b> spell checking to text fields. After installing, right-click a text "
                  "field and pick the language under <b>Languages</b>.",
    "language": "Translates the Firefox interface into <b>{lang}</b>. After installing, choose the language "
                "in <b>Settings → General → Language</b>.\n\nA language pack only works with the Firefox "
                "version it was built for.",
    "search": "Adds <b>{name}</b> to the search engines of the address bar. To make it the default, pick it "
              "in <b>Settings → Search</b>.",
}
LOCAL_BLURBS = {
    "fr": '<b>{name}</b> est gratuit et ne collecte aucune donnée personnelle.\n\n'
          'Plus d\'informations sur <a href="{link}">le site du projet</a>.',
    "de": '<b>{name}</b> ist kostenlos und sammelt keine persönlichen Daten.\n\n'
          'Mehr Informationen auf der <a href="{link}">Projektseite</a>.',
    "es": '<b>{name}</b> es gratuito y no recopila datos personales.\n\n'
          'Más información en <a href="{link}">la página del proyecto</a>.',
    "ja": '<b>{name}</b> は無料で、個人データを収集しません。\n\n'
          '詳しくは<a href="{link}">プロジェクトのページ</a>をご覧ください。',
    "pt-BR": '<b>{name}</b> é gratuito e não coleta dados pessoais.\n\n'
             'Mais informações na <a href="{link}">página do projeto</a>.',
}
RELEASE_NOTES = {
    "en-US": ["Bug fixes and performance improvements.", "New options page and updated translations.",
              "Fixed a crash when the browser starts with many tabs.", "Added keyboard shortcuts.",
              "Compatibility with the latest Firefox release.", "Security fix: sanitise imported settings."],
    "fr": ["Corrections de bogues et amélioration des performances.", "Nouvelle page d'options."],
    "de": ["Fehlerbehebungen und Leistungsverbesserungen.", "Neue Einstellungsseite und Übersetzungen."],
}
DEVELOPER_COMMENTS = {
    "en-US": ["Permissions are only used locally; nothing ever leaves your browser.",
              "Please report bugs on the support site rather than in reviews: I cannot ask follow-up "
              "questions there.",
              "Version 2 was a complete rewrite. If your settings were lost, re-import them from the "
              "options page.",
              "Android support is still experimental."],
    "fr": ["Les rapports de bogues sont les bienvenus sur le site d'assistance."],
    "de": ["Fehlerberichte bitte über die Support-Seite melden, nicht in Bewertungen."],
}
EULA_TEXT = ("By installing {name} you agree to use it only in accordance with applicable law. "
             "The software is provided \"as is\", without warranty of any kind. Premium features are "
             "billed through {domain} and can be cancelled at any time.")
PRIVACY_TEXT = ("{name} does not sell personal data.\n\nThe add-on sends the minimum data needed for "
                "its features (for example product URLs or your approximate location) to servers at "
                "{domain}. Data is kept for at most 30 days. Contact privacy@{domain} to have it removed.")
CONTRIBUTION_URLS = ["https://paypal.example.com/donate/?hosted_button_id={code}",
                     "https://www.paypal.example.com/paypalme/{user}",
                     "https://ko-fi.example.com/{user}", "https://liberapay.example.org/{user}/donate"]

# slug -> {locale: (name, summary)}, on top of the row's own default-locale texts.
TRANSLATIONS = {
    "privacy-shield": {
        "fr": ("Bouclier Vie Privée", "Bloque les traqueurs, les scripts d'empreinte numérique et les publicités intrusives sur tous les sites."),
        "de": ("Privatsphäre-Schild", "Blockiert Tracker, Fingerprinting-Skripte und aufdringliche Werbung auf allen Websites."),
        "es": ("Escudo de Privacidad", "Bloquea rastreadores, scripts de huella digital y anuncios intrusivos en todos los sitios."),
        "ja": ("プライバシーシールド", "すべてのサイトでトラッカー、フィンガープリント用スクリプト、迷惑な広告をブロックします。"),
        "pt-BR": ("Escudo de Privacidade", "Bloqueia rastreadores, scripts de impressão digital e anúncios intrusivos em todos os sites.")},
    "nightfall-dark-mode": {
        "fr": ("Nightfall Mode Sombre", "Un thème sombre pour tous les sites web. Reposez vos yeux, de jour comme de nuit."),
        "de": ("Nightfall Dunkelmodus", "Ein dunkles Design für jede Website – schont die Augen bei Tag und Nacht."),
        "ja": ("Nightfall ダークモード", "あらゆるウェブサイトをダークテーマで表示し、目の負担を軽減します。")},
    "tab-session-keeper": {
        "de": ("Tab-Sitzungsverwalter", "Offene Tabs und Fenster als benannte Sitzungen speichern, wiederherstellen und synchronisieren."),
        "fr": ("Gestionnaire de sessions", "Enregistrez, restaurez et synchronisez vos onglets et fenêtres sous forme de sessions nommées.")},
    "quick-translate": {
        "fr": ("Traduction rapide", "Traduisez le texte sélectionné ou des pages entières dans plus de 100 langues en un clic."),
        "de": ("Schnellübersetzer", "Markierten Text oder ganze Seiten mit einem Klick in über 100 Sprachen übersetzen."),
        "es": ("Traducción rápida", "Traduce el texto seleccionado o páginas completas a más de 100 idiomas con un clic."),
        "ja": ("クイック翻訳", "選択したテキストやページ全体をワンクリックで100以上の言語に翻訳します。"),
        "pt-BR": ("Tradução Rápida", "Traduza o texto selecionado ou páginas inteiras para mais de 100 idiomas com um clique.")},
    "video-downloader-plus": {
        "es": ("Descargador de Vídeos Plus", "Descarga vídeos y audio de la mayoría de sitios de vídeo en el formato y la calidad que elijas."),
        "pt-BR": ("Baixador de Vídeos Plus", "Baixe vídeos e áudios da maioria dos sites de vídeo no formato e na qualidade que você escolher.")},
    "focus-timer": {
        "de": ("Fokus-Timer", "Ein Pomodoro-Timer, der ablenkende Websites blockiert, während du arbeitest."),
        "ja": ("集中タイマー", "作業中に気が散るサイトをブロックするポモドーロタイマーです。")},
    "screenshot-studio": {
        "fr": ("Studio Capture d'écran", "Capturez la page entière, la zone visible ou une sélection, annotez et enregistrez en PNG ou PDF."),
        "es": ("Estudio de Capturas", "Captura páginas completas, el área visible o una selección, anótalas y guárdalas como PNG o PDF.")},
    "json-viewer-pro": {
        "ja": ("JSON Viewer Pro", "JSON レスポンスをタブ内で整形・折りたたみ・フィルタ表示します。"),
        "de": ("JSON Viewer Pro", "JSON-Antworten direkt im Tab formatiert anzeigen, einklappen und filtern.")},
    "price-watcher": {
        "de": ("Preiswächter", "Verfolgt Produktpreise in Online-Shops und benachrichtigt dich, wenn sie sinken."),
        "fr": ("Veille des prix", "Suit le prix des produits dans les boutiques en ligne et vous prévient quand ils baissent.")},
    "download-organizer": {
        "pt-BR": ("Organizador de Downloads", "Organiza os downloads em pastas por tipo de arquivo, site ou data usando regras simples."),
        "es": ("Organizador de Descargas", "Ordena las descargas en carpetas por tipo de archivo, sitio o fecha con reglas sencillas.")},
    "midnight-aurora": {
        "fr": ("Aurore de minuit", "Des bleus et des verts profonds inspirés des aurores boréales."),
        "de": ("Mitternachtspolarlicht", "Tiefe Blau- und Grüntöne, inspiriert vom Nordlicht.")},
    "cookie-cleaner": {
        "fr": ("Nettoyeur de cookies", "Supprime automatiquement les cookies des onglets fermés, sauf pour les sites de votre liste blanche."),
        "de": ("Cookie-Reiniger", "Löscht Cookies und Websitedaten geschlossener Tabs automatisch – außer für Websites auf deiner Ausnahmeliste."),
        "es": ("Limpiador de Cookies", "Elimina automáticamente las cookies de las pestañas cerradas, salvo los sitios de tu lista blanca.")},
    "tab-suspender": {"ja": ("タブサスペンダー", "しばらく使っていないタブを休止してメモリを解放します。")},
    "tab-gruppierer": {"en-US": ("Tab Grouper", "Sorts tabs into coloured groups that you can show and hide with one click.")},
    "deutsches-woerterbuch": {"en-US": ("German Dictionary", "Spell checking for German following the reformed spelling rules.")},
    "brazilian-portuguese-dictionary": {
        "pt-BR": ("Dicionário Português (Brasil)", "Verificação ortográfica para o português do Brasil (Novo Acordo Ortográfico).")},
    "deutsch-language-pack": {"de": ("Deutsch (de) Sprachpaket", "Firefox-Sprachpaket für Deutsch.")},
    "japanese-language-pack": {"ja": ("日本語 (ja) 言語パック", "Firefox の日本語言語パックです。")},
}


def _row(type_, slug, name, summary, cats, tags="", authors="", adu=0, **extra):
    """One catalogue entry. Optional extras: android, locale (default_locale), status, is_disabled,
    experimental, payment, plain ("name" or "all": plain strings instead of translated objects),
    compat {app: (min, max)}, strict, versions (count of older versions), quirks {index: "unlisted"|
    "disabled"|"deleted"}, old_compat [(min, max)] (language packs), guid, featured [(app, locale)],
    promoted [(group, (app, ...))], eula, policy, target, disamb, license, created (range), until, avg."""
    return dict(type=type_, slug=slug, name=name, summary=summary, cats=cats.split(),
                tags=[t for t in tags.split(",") if t], authors=authors.split("+"), adu=adu, **extra)


E, P, D, L, S = (partial(_row, t) for t in ("extension", "persona", "dictionary", "language", "search"))

ROWS = [
    E("privacy-shield", "Privacy Shield", "Blocks trackers, fingerprinting scripts and intrusive ads on every site you visit.",
      "privacy-security", "privacy,security,ad blocker", "privacylabs+mkowalski", 2_400_000, android=True,
      featured=[("firefox", None), ("android", None)], policy=True, versions=4, quirks={1: "disabled", 3: "unlisted"},
      promoted=[("recommended", ("firefox", "android"))]),
    E("tab-session-keeper", "Tab Session Keeper", "Save, restore and sync your open tabs and windows as named sessions.",
      "tabs productivity", "tabs,productivity", "tabworks", 310_000, featured=[("firefox", "de")],
      versions=3, quirks={0: "deleted"}, promoted=[("notable", ("firefox",))]),
    E("nightfall-dark-mode", "Nightfall Dark Mode", "A dark theme for every website. Care for your eyes: use dark mode for night and daily browsing.",
      "appearance", "dark mode,accessibility", "nvolkova", 1_150_000, android=True, featured=[("firefox", None)]),
    E("video-downloader-plus", "Video Downloader Plus", "Download videos and audio from most video sites in the format and quality you choose.",
      "download-management photos-music-videos", "download,video,youtube", "dmartin", 640_000, android=True),
    E("bookmark-sorter", "Bookmark Sorter", "Sorts your bookmarks by name, date or visit count, and finds duplicates and dead links.",
      "bookmarks", "bookmarks,productivity", "ebrennan", 18_400),
    E("lecteur-rss-simple", "Lecteur RSS simple", "Suivez vos flux RSS et Atom favoris depuis la barre d'outils, sans compte ni pistage.",
      "feeds-news-blogging", "reader,notifications", "cdubois", 7_300, locale="fr",
      compat={"firefox": ("57.0", "68.*")}, created=("2019-01-10", "2019-05-30"), until="2020-03-01"),
    E("quick-translate", "Quick Translate", "Translate selected text or whole pages into more than 100 languages with one click.",
      "language-support", "translation,productivity", "htanaka+ykimura", 820_000, android=True,
      featured=[("firefox", "fr"), ("android", "fr")], versions=2),
    E("keynest-password-manager", "KeyNest Password Manager", "An open-source password manager that fills logins, generates strong passwords and works offline.",
      "privacy-security", "security,privacy,productivity", "praman", 450_000, android=True, eula=True, policy=True,
      license="gpl", versions=3, quirks={2: "unlisted"}, promoted=[("recommended", ("firefox", "android"))]),
    E("cookie-cleaner", "Cookie Cleaner", "Deletes cookies and site data from closed tabs automatically, keeping only the sites you allow.",
      "privacy-security", "privacy,security", "privacylabs", 212_000, android=True),
    E("tab-gruppierer", "Tab-Gruppierer", "Ordnet Tabs in farbige Gruppen, die sich mit einem Klick ein- und ausblenden lassen.",
      "tabs", "tabs,productivity", "lhoffmann+jbecker", 96_000, locale="de"),
    E("price-watcher", "Price Watcher", "Tracks product prices across online shops and alerts you when they drop.",
      "shopping alerts-updates", "shopping,notifications", "rsantos", 74_000, android=True, policy=True,
      featured=[("android", "de")]),
    E("coupon-finder", "Coupon Finder", "Automatically finds and applies coupon codes at checkout.",
      "shopping", "shopping", "sokafor", 38_000, android=True, status="disabled", eula=True, policy=True,
      license="arr", avg=1.87),
    E("json-viewer-pro", "JSON Viewer Pro", "Pretty-prints, folds and filters JSON responses right in the browser tab.",
      "web-development", "developer", "devtools-guild", 135_000, featured=[("firefox", None)],
      versions=2, quirks={1: "unlisted"}),
    E("css-inspector-tools", "CSS Inspector Tools", "Hover any element to see its computed styles, box model and fonts, and copy them as CSS.",
      "web-development", "developer,accessibility", "devtools-guild+twhitfield", 22_600, experimental=True),
    E("focus-timer", "Focus Timer", "A Pomodoro timer that blocks distracting sites while you work.",
      "productivity", "productivity,notifications", "asouza", 58_000, android=True, featured=[("firefox", None)]),
    E("screenshot-studio", "Screenshot Studio", "Capture full pages, visible areas or selections, annotate them and save them as PNG or PDF.",
      "photos-music-videos productivity", "screenshot,productivity", "ykimura", 177_000),
    E("tubetweak", "TubeTweak for YouTube", "Adds auto-HD, theatre mode by default, volume boost and a cleaner layout to YouTube.",
      "photos-music-videos appearance", "youtube,video,dark mode", "dmartin", 530_000, android=True),
    E("sidebar-notes", "Sidebar Notes", "Jot down notes per site or globally in the sidebar, with Markdown support.",
      "productivity", "productivity", "ebrennan", 9_800, experimental=True),
    E("social-feed-filter", "Social Feed Filter", "Hide sponsored posts, suggestions and keywords you don't want to see on social networks.",
      "social-communication", "social,ad blocker", "sokafor", 44_000, android=True, is_disabled=True),
    E("mail-check-notifier", "Mail Check Notifier", "Shows unread counts for your webmail accounts and notifies you of new messages.",
      "alerts-updates social-communication", "notifications,social", "twhitfield", 3_100, status="deleted"),
    E("page-change-monitor", "Page Change Monitor", "Watches web pages for changes and highlights what is new since your last visit.",
      "alerts-updates", "notifications,productivity", "nvolkova", 16_700),
    E("search-switcher", "Search Switcher", "Re-run your current search on another engine with a single click or keyboard shortcut.",
      "search-tools", "search,productivity", "jbecker", 12_900, android=True),
    E("context-search-menu", "Context Search Menu", "Search selected text with any of your search engines from the right-click menu.",
      "search-tools", "search", "jbecker", 67_500),
    E("clean-reader-view", "Clean Reader View", "Strips clutter from articles and shows them in a comfortable, customisable reading layout.",
      "appearance feeds-news-blogging", "reader,accessibility,dark mode", "asouza+praman", 88_000, android=True),
    E("font-zoom-plus", "Font Zoom Plus", "Set a minimum font size and per-site text zoom without breaking page layouts.",
      "appearance", "accessibility", "ebrennan", 5_600, compat={"firefox": ("78.0", "102.*")}, until="2022-06-28"),
    E("chess-puzzle-new-tab", "Chess Puzzle New Tab", "A fresh chess puzzle every time you open a new tab.",
      "games-entertainment", "", "sokafor", 740, status="nominated", plain="all", versions=0),
    E("download-organizer", "Download Organizer", "Sorts downloads into folders by file type, site or date using simple rules.",
      "download-management productivity", "download,productivity", "rsantos", 61_000, android=True,
      featured=[("android", None)]),
    E("image-picker", "Image Picker", "Lists every image on the page so that you can filter them by size and download them in bulk.",
      "photos-music-videos download-management", "download,screenshot", "ykimura", 27_500, android=True),
    E("user-agent-switcher", "User-Agent Switcher", "Quickly switch the browser's user-agent string to test sites as other browsers and devices.",
      "web-development privacy-security", "developer,privacy", "devtools-guild", 190_000, android=True,
      versions=2, quirks={0: "unlisted"}),
    E("https-upgrader", "HTTPS Upgrader", "Upgrades insecure connections to HTTPS and warns you before loading plain HTTP pages.",
      "privacy-security", "security,privacy", "privacylabs", 98_000, android=True),
    E("container-tabs-helper", "Container Tabs Helper", "Open sites in isolated containers automatically, keeping logins and trackers apart.",
      "tabs privacy-security", "tabs,privacy", "tabworks+mkowalski", 143_000),
    E("weather-badge", "Weather Badge", "Shows the current temperature on the toolbar and a five-day forecast in a popup.",
      "alerts-updates", "notifications", "twhitfield", 11_200, android=True, plain="all", policy=True),
    E("writeright-grammar", "WriteRight Grammar", "Checks grammar, spelling and style as you type in any text field. Premium checks need a subscription.",
      "language-support productivity", "spelling,productivity", "praman", 305_000, android=True, payment=True,
      eula=True, policy=True, license="arr"),
    E("music-controls", "Media Keys & Music Controls", "Control music playing in any tab with media keys, a toolbar popup and notifications.",
      "photos-music-videos", "youtube,video,notifications", "rsantos", 1_900, status="nominated", versions=0),
    E("tracker-radar", "Tracker Radar", "Shows which companies follow you across sites and lets you block them.",
      "privacy-security", "privacy,security,ad blocker", "mkowalski", 57_000, android=True),
    E("legacy-toolbar-buttons", "Legacy Toolbar Buttons", "Extra toolbar buttons for reloading, closing and restoring tabs, as in classic Firefox.",
      "other tabs", "tabs", "twhitfield", 4_200, compat={"firefox": ("57.0", "60.*")}, strict=True,
      created=("2019-01-02", "2019-02-28"), until="2019-06-30", versions=2),
    E("mouse-gestures", "Smooth Mouse Gestures", "Navigate, open and close tabs with configurable mouse gestures and rocker moves.",
      "other tabs", "tabs,productivity", "jbecker", 71_000, plain="name"),
    E("tab-suspender", "Tab Suspender", "Frees memory by suspending tabs you have not used for a while.",
      "tabs", "tabs,productivity", "tabworks", 205_000),
    # Static themes
    P("midnight-aurora", "Midnight Aurora", "Deep blues and greens inspired by the northern lights.",
      "abstract nature", "dark mode", "studio-aurora", 86_000, featured=[("firefox", None)], license="cc-by"),
    P("autumn-forest", "Autumn Forest", "Warm amber and rust tones from a misty October forest.",
      "nature seasonal", "", "studio-aurora", 23_000, featured=[("firefox", "de")]),
    P("solid-slate", "Solid Slate", "A calm, flat slate-grey theme with high-contrast tabs.",
      "solid", "dark mode,accessibility", "nvolkova", 41_000),
    P("synthwave-sunset", "Synthwave Sunset", "Neon pink and purple gradients straight out of the eighties.",
      "abstract music", "", "ykimura", 12_400),
    P("matchday-green", "Matchday Green", "Fresh-cut pitch stripes for football fans.", "sports", "", "sokafor", 2_300),
    P("winter-frost", "Winter Frost", "Icy whites and pale blues for the cold season.",
      "seasonal nature", "", "studio-aurora", 8_700),
    P("ocean-depths", "Ocean Depths", "A dark teal theme that fades into the deep sea.",
      "nature", "dark mode", "studio-aurora+asouza", 15_900),
    P("late-night-jazz", "Late Night Jazz", "Smoky browns and brass accents for jazz lovers.", "music", "", "ebrennan", 640),
    # Dictionaries
    D("dictionnaire-francais", "Dictionnaire français", "Dictionnaire orthographique pour la langue française (réforme de 1990).",
      "general", "spelling", "librespell", 190_000, locale="fr", target="fr", featured=[("firefox", "fr")]),
    D("deutsches-woerterbuch", "Deutsches Wörterbuch", "Rechtschreibprüfung für Deutsch nach der neuen Rechtschreibung.",
      "general", "spelling", "librespell+lhoffmann", 160_000, locale="de", target="de"),
    D("brazilian-portuguese-dictionary", "Brazilian Portuguese Dictionary", "Spell checking for Brazilian Portuguese (2009 orthographic agreement).",
      "general", "spelling", "librespell+rsantos", 52_000, target="pt-BR"),
    D("british-english-dictionary", "British English Dictionary", "British English spelling dictionary with -ise endings (organise, realise).",
      "general", "spelling", "librespell", 88_000, target="en-GB", disamb="-ise spelling"),
    D("british-english-oxford-dictionary", "British English Dictionary (Oxford)", "British English spelling dictionary with Oxford -ize endings (organize, realize).",
      "general", "spelling", "ebrennan", 9_400, target="en-GB", disamb="Oxford -ize spelling",
      guid="en-GB-oxford-dictionary@example.org"),
    # Language packs, each built for one Firefox release
    L("francais-language-pack", "Français (fr) Language Pack", "Firefox Language Pack for Français (fr) – French",
      "general", "", "l10n-team", 310_000, target="fr", compat={"firefox": ("128.0", "128.*")},
      old_compat=[("115.0", "115.*")]),
    L("deutsch-language-pack", "Deutsch (de) Language Pack", "Firefox Language Pack for Deutsch (de) – German",
      "general", "", "l10n-team", 420_000, target="de", compat={"firefox": ("128.0", "128.*")}),
    L("japanese-language-pack", "日本語 (ja) Language Pack", "Firefox Language Pack for 日本語 (ja) – Japanese",
      "general", "", "l10n-team", 95_000, target="ja", compat={"firefox": ("128.0", "128.*")}),
    L("espanol-espana-language-pack", "Español (España) (es-ES) Language Pack", "Firefox Language Pack for Español (España) (es-ES) – Spanish, Spain",
      "general", "", "l10n-team", 120_000, target="es-ES", compat={"firefox": ("140.0", "140.*")}),
    L("portugues-brasil-language-pack", "Português (Brasil) (pt-BR) Language Pack", "Firefox Language Pack for Português (Brasil) (pt-BR) – Portuguese, Brazil",
      "general", "", "l10n-team", 80_000, target="pt-BR", compat={"firefox": ("115.0", "115.*")}),
    # Search engines
    S("library-catalogue-search", "Library Catalogue Search", "Search the open library catalogue from the address bar.",
      "general", "search", "ebrennan", 3_400),
    S("wiktionary-en", "Wiktionary (en)", "Look up words and their translations in the English Wiktionary.",
      "general", "search,translation", "htanaka", 8_900),
    S("recipe-finder", "Recipe Finder", "Search thousands of home-cooking recipes by ingredient.",
      "general", "search", "asouza", 1_200, plain="all"),
    S("openstreetmap-search", "OpenStreetMap Search", "Search places and addresses on OpenStreetMap.",
      "general", "search", "mkowalski", 5_800),
]


# --- small helpers ---------------------------------------------------------------------------

def _iso(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _day(text):
    return datetime.strptime(text, "%Y-%m-%d").replace(hour=12, tzinfo=timezone.utc)


def _between(rng, start, end):
    seconds = max(0, int((end - start).total_seconds()))
    return start + timedelta(seconds=rng.randint(0, seconds))


def _major(app_version):
    return int(app_version.split(".")[0])


def _uuid_guid(rng):
    return "{%s}" % uuid.UUID(int=rng.getrandbits(128), version=4)


def _version_chain(rng, n):
    """n ascending version strings such as "1.2.0" < "1.2.1" < "1.3.0" < "2.0.0"."""
    major, minor, patch = rng.randint(0, 3), rng.randint(0, 9), rng.randint(0, 3)
    chain = []
    for _ in range(n):
        chain.append(f"{major}.{minor}.{patch}")
        step = rng.random()
        if step < 0.5:
            patch += rng.randint(1, 3)
        elif step < 0.88:
            minor, patch = minor + 1, 0
        else:
            major, minor, patch = major + 1, 0, 0
    return chain


def _langpack_version(app_min, when):  # e.g. "128.0.20240704.121409"
    return f"{_major(app_min)}.0.{when:%Y%m%d}.{int(f'{when:%H%M%S}')}"  # no leading zeros


def _license(key, year, author):
    name, url, text = LICENSES[key]
    if text:
        text = {loc: t.format(year=year, author=author) for loc, t in text.items()}
    return {"name": dict(name), "url": url, "text": text}


def _pick_license(rng, row):
    if "license" in row:
        return row["license"]
    t = row["type"]
    if t == "persona":
        return rng.choice(["cc-by", "cc-by", "arr"])
    if t in ("dictionary", "language"):
        return "gpl" if t == "dictionary" and rng.random() < 0.5 else "mpl"
    return rng.choices(["mpl", "mit", "gpl", "arr"], weights=[40, 25, 20, 15])[0]


def _permissions(rng, row):
    if row["type"] != "extension":
        return []
    perms = PERMISSION_OVERRIDES.get(row["slug"]) or PERMISSIONS[row["cats"][0]]
    return [p for p in perms if p in perms[:2] or rng.random() < 0.85]


def _compat(rng, row):
    if "compat" in row:
        return dict(row["compat"])
    if row["type"] == "dictionary":
        return {"firefox": ("57.0", "*")}
    if row["type"] == "persona":
        return {"firefox": (rng.choice(["57.0", "78.0", "91.0"]), "*")}
    fx_min = rng.choices(FX_MINS, weights=[2, 3, 4, 3, 2])[0]
    compat = {"firefox": (fx_min, "*")}
    if row.get("android"):
        choices = [m for m in ANDROID_MINS if _major(m) >= _major(fx_min)] or [fx_min]
        compat["android"] = (rng.choice(choices), "*")
    return compat


def _older_compat(rng, compat):
    """Compatibility of an older version: the same apps, a minimum no newer than today's."""
    older = {}
    for app, (mn, mx) in compat.items():
        ladder = [m for m in (FX_MINS if app == "firefox" else ANDROID_MINS) if _major(m) <= _major(mn)]
        older[app] = (rng.choice(ladder) if ladder and mx == "*" else mn, mx)
    return older


# --- builders ----------------------------------------------------------------------------------

def _version(rng, ids, row, vstr, when, compat, license_, *, locale="en-US", channel="listed",
             file_status="public", strict=False, reviewed=True, deleted=False):
    notes_locale = locale if locale in RELEASE_NOTES else "en-US"
    version = {
        "id": next(ids["version"]), "channel": channel, "version": vstr,
        "compatibility": {app: {"min": mn, "max": mx} for app, (mn, mx) in compat.items()},
        "files": [{
            "id": next(ids["file"]), "created": _iso(when),
            "hash": "sha256:" + hashlib.sha256(f"{row['slug']}:{vstr}".encode()).hexdigest(),
            "platform": "all", "size": rng.randint(*FILE_SIZES[row["type"]]), "status": file_status,
            "is_webextension": True, "is_restart_required": False, "is_mozilla_signed_extension": False,
            "permissions": _permissions(rng, row), "url": None,
        }],
        "is_strict_compatibility_enabled": strict,
        "license": license_,
        "release_notes": {notes_locale: rng.choice(RELEASE_NOTES[notes_locale])},
        "reviewed": _iso(when + timedelta(hours=rng.randint(1, 96))) if reviewed else None,
    }
    if deleted:
        version["is_deleted"] = True
    return version


def _dates(rng, row):
    if row["type"] == "language":
        release = _day(LANGPACK_RELEASES[str(_major(row["compat"]["firefox"][0]))])
        created = _between(rng, _day("2019-01-07"), _day("2019-12-20"))
        return created, release - timedelta(days=rng.randint(0, 6), seconds=rng.randint(0, 40_000))
    low, high = row.get("created", ("2019-01-01", "2025-10-31"))
    created = _between(rng, _day(low), _day(high))
    until = _day(row["until"]) if "until" in row else NOW
    return created, _between(rng, created + timedelta(days=1), until)


def _versions(rng, ids, row, created, updated, license_, locale):
    """(current_version or None, older versions oldest first)."""
    compat, status = _compat(rng, row), row.get("status", "public")
    if row["type"] == "language":
        chain = [(_langpack_version(mn, d), {"firefox": (mn, mx)}, d) for (mn, mx), d in
                 [(c, _day(LANGPACK_RELEASES[str(_major(c[0]))])) for c in row.get("old_compat", [])]]
        chain.append((_langpack_version(compat["firefox"][0], updated), compat, updated))
    else:
        n_old = row.get("versions")
        if n_old is None:
            n_old = rng.randint(1, 4) if rng.random() < 0.42 else 0
        dates = sorted(_between(rng, created, updated - timedelta(hours=12)) for _ in range(n_old))
        dates = ([created] + dates[1:]) if dates else []
        strings = _version_chain(rng, n_old + 1)
        chain = [(s, _older_compat(rng, compat), d) for s, d in zip(strings, dates)]
        chain.append((strings[-1], compat, updated))
    older = []
    for index, (vstr, comp, when) in enumerate(chain[:-1]):
        quirk = row.get("quirks", {}).get(index)
        older.append(_version(
            rng, ids, row, vstr, when, comp, license_, locale=locale,
            channel="unlisted" if quirk == "unlisted" else "listed",
            file_status="disabled" if quirk in ("disabled", "deleted") else "public",
            deleted=quirk == "deleted"))
    vstr, comp, when = chain[-1]
    file_status = {"nominated": "nominated", "disabled": "disabled"}.get(status, "public")
    current = _version(rng, ids, row, vstr, when, comp, license_, locale=locale, file_status=file_status,
                       strict=row.get("strict", False), reviewed=status != "nominated")
    if status == "nominated":  # no public version yet: AMO's current_version is null
        return None, older + [current]
    return current, older


def _en_description(rng, row, name, summary, link):
    if row["type"] == "extension":
        features = [TAG_FEATURES[t] for t in row["tags"]]
        features += rng.sample(GENERIC_FEATURES, 1 if len(features) > 1 else 2)
        items = "".join(f"<li>{f}</li>" for f in features)
        closing = rng.choice(CLOSINGS).format(link=link)
        return f"{summary}\n\n<b>Features</b>\n<ul>{items}</ul>\n\n{closing}"
    blurb = TYPE_BLURBS[row["type"]].format(name=name, lang=LANG_NAMES.get(row.get("target"), ""))
    return f'{summary}\n\n{blurb}\n\nMore at <a href="{link}">{link}</a>.'


def _texts(rng, row, locale, link):
    """name, summary and description as {locale: text}."""
    texts = {locale: (row["name"], row["summary"])}
    texts.update(TRANSLATIONS.get(row["slug"], {}))
    descriptions = {loc: _en_description(rng, row, n, s, link) if loc == "en-US"
                    else f"{s}\n\n" + LOCAL_BLURBS[loc].format(name=n, link=link) for loc, (n, s) in texts.items()}
    return {loc: n for loc, (n, _) in texts.items()}, {loc: s for loc, (_, s) in texts.items()}, descriptions


def _build_addon(rng, ids, addon_id, index, row):
    slug, type_ = row["slug"], row["type"]
    locale = row.get("locale", "en-US")
    usernames = row["authors"]
    domain = f"{slug}.example.org"

    guid = row.get("guid") or {  # extensions cycle through "x@example.org", "@x" and "{uuid}"
        "language": f"langpack-{row.get('target')}@firefox.mozilla.org",
        "dictionary": f"{row.get('target')}-dictionary@example.org",
        "search": f"{slug}@search.example.org",
        "extension": [f"{slug}@example.org", f"@{slug}", None][index % 3],
    }.get(type_) or _uuid_guid(rng)

    homepage = None if type_ in ("persona", "language") else (
        f"https://librespell.example.org/{row['target']}/" if type_ == "dictionary" else f"https://{domain}/")
    support_url = (f"https://git.example.com/{usernames[0]}/{slug}/issues"
                   if type_ == "extension" and rng.random() < 0.7 else None)
    support_email = f"{usernames[0]}@example.com" if type_ != "language" and rng.random() < 0.5 else None
    link = homepage or support_url or f"https://{usernames[0]}.example.com/"
    names, summaries, descriptions = _texts(rng, row, locale, link)

    created, updated = _dates(rng, row)
    license_key = _pick_license(rng, row)
    license_ = _license(license_key, created.year, AUTHORS[usernames[0]][1])
    current, older = _versions(rng, ids, row, created, updated, license_, locale)

    status = row.get("status", "public")
    adu = max(0, int(row["adu"] * rng.uniform(0.9, 1.1)))
    if status == "nominated" or (adu < 20_000 and rng.random() < 0.12):
        n_ratings, avg = 0, 0.0
    else:
        n_ratings = max(1, int(adu * rng.uniform(0.0008, 0.004)))
        avg = row.get("avg") or (rng.triangular(3.0, 5.0, 4.5) if n_ratings > 30 else rng.uniform(1.0, 5.0))

    comment_pool = DEVELOPER_COMMENTS.get(locale, DEVELOPER_COMMENTS["en-US"])
    comments = {locale: rng.choice(comment_pool)} if rng.random() < 0.4 else None
    contributions = None
    if type_ in ("extension", "persona") and license_key != "arr" and rng.random() < 0.35:
        contributions = rng.choice(CONTRIBUTION_URLS).format(code="%08X" % rng.getrandbits(32), user=usernames[0])
    eula = {locale: EULA_TEXT.format(name=row["name"], domain=domain)} if row.get("eula") else None
    policy = {locale: PRIVACY_TEXT.format(name=row["name"], domain=domain)} if row.get("policy") else None

    categories = {app: list(row["cats"]) for app in ("firefox", "android") if app == "firefox" or row.get("android")}

    def tr(value):  # a translated URL/e-mail field
        return value if value is None or row.get("plain") == "all" else {locale: value}

    addon = {
        "id": addon_id, "guid": guid, "slug": slug, "type": type_, "status": status, "default_locale": locale,
        "name": names[locale] if row.get("plain") else names,
        "summary": summaries[locale] if row.get("plain") == "all" else summaries,
        "description": descriptions[locale] if row.get("plain") == "all" else descriptions,
        "developer_comments": comments,
        "authors": [{"id": AUTHORS[u][0], "name": AUTHORS[u][1], "username": u, "url": None} for u in usernames],
        "categories": categories, "tags": list(row["tags"]), "average_daily_users": adu,
        "weekly_downloads": int(adu / rng.uniform(2.0, 7.0) * rng.uniform(0.9, 1.1)),
        "ratings": {"average": round(avg, 2), "bayesian_average": 0.0, "count": n_ratings,
                    "text_count": int(n_ratings * rng.uniform(0.25, 0.6))},
        "is_featured": bool(row.get("featured")), "is_disabled": bool(row.get("is_disabled")),
        "is_experimental": bool(row.get("experimental")), "requires_payment": bool(row.get("payment")),
        "is_source_public": license_key in OPEN_LICENSES and type_ == "extension" and rng.random() < 0.7,
        "has_eula": eula is not None, "has_privacy_policy": policy is not None, "eula": eula, "privacy_policy": policy,
        "homepage": tr(homepage), "support_url": tr(support_url), "support_email": tr(support_email),
        "contributions_url": contributions, "created": _iso(created), "last_updated": _iso(updated),
        "icon_url": None, "previews": [], "current_version": current,
    }
    if type_ in ("dictionary", "language"):
        addon["target_locale"] = row["target"]
        addon["locale_disambiguation"] = row.get("disamb")
    if row.get("featured"):
        addon["featured_for"] = [{"app": app, "locale": loc} for app, loc in row["featured"]]
    if row.get("promoted"):
        addon["promoted"] = [{"category": group, "apps": list(apps)} for group, apps in row["promoted"]]
    if older:
        addon["versions"] = older
    return addon


def _apply_bayesian(addons):
    """AMO's formula: (C*m + n*avg) / (C + n), C and m the mean count and mean average of rated add-ons."""
    rated = [a["ratings"] for a in addons if a["ratings"]["count"]]
    mean_count = sum(r["count"] for r in rated) / len(rated)
    mean_avg = sum(r["average"] for r in rated) / len(rated)
    for ratings in (a["ratings"] for a in addons):
        n = ratings["count"]
        ratings["bayesian_average"] = (
            round((mean_count * mean_avg + n * ratings["average"]) / (mean_count + n), 4) if n else 0.0)


def _replacements(rng, by_slug):
    guid = lambda slug: by_slug[slug]["guid"]  # noqa: E731
    return [
        {"guid": _uuid_guid(rng), "replacement": [guid("tab-session-keeper"), guid("tab-suspender")]},
        {"guid": "adblock-classic@example.net", "replacement": [guid("privacy-shield")]},
        {"guid": _uuid_guid(rng), "replacement": [guid("video-downloader-plus"), guid("download-organizer")]},
        # One replacement is not in the catalogue: the API drops it.
        {"guid": "oldgestures@example.net", "replacement": [guid("mouse-gestures"), "gestures-next@example.com"]},
        # Disabled and deleted add-ons are not valid replacements either.
        {"guid": "couponer-legacy@example.net", "replacement": [guid("coupon-finder")]},
        {"guid": "webmail-checker@example.net", "replacement": [guid("mail-check-notifier"), guid("weather-badge")]},
        # A replacement that pointed at a page, not an add-on.
        {"guid": "rss-ticker-classic@example.net", "replacement": []},
    ]


def _app_range(app, min_version, max_version):
    app_id, app_guid, pretty = APPS[app]
    return {"name": pretty, "id": app_id, "min_version": min_version, "max_version": max_version, "guid": app_guid}


def _compat_overrides(by_slug):
    def major_wildcard(slug):
        return by_slug[slug]["current_version"]["version"].split(".")[0] + ".*"

    legacy, gestures, zoom = by_slug["legacy-toolbar-buttons"], by_slug["mouse-gestures"], by_slug["font-zoom-plus"]
    return [
        {"addon_id": legacy["id"], "addon_guid": legacy["guid"],
         "name": "Legacy Toolbar Buttons breaks the tab strip in Firefox 61 and later",
         "version_ranges": [{"addon_min_version": "0", "addon_max_version": major_wildcard("legacy-toolbar-buttons"),
                             "applications": [_app_range("firefox", "61.0", "*")]}]},
        {"addon_id": gestures["id"], "addon_guid": gestures["guid"],
         "name": "Smooth Mouse Gestures: gestures stop working after a tab is moved",
         "version_ranges": [{"addon_min_version": "0", "addon_max_version": major_wildcard("mouse-gestures"),
                             "applications": [_app_range("firefox", "115.0", "*"),
                                              _app_range("android", "115.0", "*")]}]},
        {"addon_id": zoom["id"], "addon_guid": zoom["guid"],
         "name": "Font Zoom Plus: page text disappears with the new zoom code",
         "version_ranges": [{"addon_min_version": "0", "addon_max_version": zoom["current_version"]["version"],
                             "applications": [_app_range("firefox", "103.0", "*")]}]},
        {"addon_id": None, "addon_guid": "ie-tab-classic@example.net",
         "name": "IE Tab Classic crashes Firefox on startup",
         "version_ranges": [
             {"addon_min_version": "0", "addon_max_version": "1.2.*",
              "applications": [_app_range("firefox", "57.0", "*")]},
             {"addon_min_version": "2.0", "addon_max_version": "2.0.3",
              "applications": [_app_range("firefox", "91.0", "102.*"), _app_range("android", "91.0", "*")]}]},
    ]


def demo_catalogue() -> dict:
    """Returns {"addons": [...], "replacement_addons": [...], "compat_overrides": [...]}"""
    rng = random.Random(SEED)
    ids = {"version": count(FIRST_VERSION_ID), "file": count(FIRST_FILE_ID)}
    addons = [_build_addon(rng, ids, FIRST_ADDON_ID + i, i, row) for i, row in enumerate(ROWS)]
    _apply_bayesian(addons)
    by_slug = {a["slug"]: a for a in addons}
    return {
        "addons": addons,
        "replacement_addons": _replacements(rng, by_slug),
        "compat_overrides": _compat_overrides(by_slug),
    }
