"""Traditional Chinese (Discord's zh-TW) for the slash commands: names, descriptions and options.

Written for Taiwan, not converted character by character: 帳號 for account, 預設 for default,
資料 for data, 時區 for time zone. The catalog's zh is Simplified (bot/core/locales/zh.yaml);
these are the only texts a zh-TW Discord shows before the bot has said anything, so they live
beside the other registration texts (ZH_NAMES, OPTIONS in commands.py).
"""

from __future__ import annotations

NAMES = {
    "start": "開始",
    "help": "說明",
    "quiz": "問答",
    "mc": "選擇題",
    "review": "複習",
    "interview": "模擬面試",
    "hint": "提示",
    "reveal": "答案",
    "skip": "跳過",
    "stats": "統計",
    "topics": "主題",
    "leaderboard": "排行榜",
    "link": "連結帳號",
    "export": "匯出",
    "appeal": "申訴",
    "forget": "刪除資料",
    "lang": "語言",
    "timezone": "時區",
    "daily": "每日一題",
    "remind": "提醒",
}

DESCRIPTIONS = {
    "start": "歡迎與使用說明",
    "help": "指令列表",
    "quiz": "來一道問答題 [主題]",
    "mc": "來一道選擇題 [主題]",
    "review": "待複習的題目（間隔重複）；/review cards 為閃卡模式",
    "interview": "模擬面試：n 道題，最後統一回饋 [主題] [n]",
    "hint": "提示一個重點（會降低最高得分）",
    "reveal": "查看參考答案（記為未答對）",
    "skip": "跳過本題，不扣分",
    "stats": "學習進度、連續天數與熟練度，附圖表",
    "topics": "主題、題目數量與你的正確率",
    "leaderboard": "本伺服器頻道的排行榜 [week|all]",
    "daily": "每日一題：[HH:MM] [地區/城市] [星期] [主題] | off",
    "remind": "維持連續天數的晚間提醒：on [HH:MM] | off",
    "link": "連結 Telegram 與 Discord 的學習進度 [code|off]",
    "export": "把答錯的題目匯出為 Anki 牌組",
    "appeal": "對上一次評分提出申訴 [理由]",
    "forget": "刪除所有關於你的資料",
    "lang": "語言：en 或 zh",
    "timezone": "你的時區，例如 Asia/Taipei",
}

# By the Simplified text commands.OPTIONS gives (names, descriptions and choices of options).
OPTIONS = {
    "主题": "主題",
    "主题（留空则随机）": "主題（留空則隨機）",
    "模式": "模式",
    "cards：自评的闪卡模式": "cards：自己評分的閃卡模式",
    "闪卡": "閃卡",
    "时间范围": "時間範圍",
    "本周或全部": "本週或全部",
    "本周": "本週",
    "全部": "全部",
    "代码": "代碼",
    "另一个平台上的代码，或 off 取消关联": "另一個平台上的代碼，或 off 取消連結",
    "理由": "理由",
    "评分为什么不对": "評分為什麼不對",
    "语言": "語言",
    "en 或 zh": "en 或 zh",
    "时区": "時區",
    "IANA 时区，例如 Asia/Shanghai": "IANA 時區，例如 Asia/Taipei",
    "时间": "時間",
    "HH:MM、时区、星期、主题，顺序随意；或 off": "HH:MM、時區、星期、主題，順序不拘；或 off",
    "身份组": "身分組",
    "每道题发布时提醒的身份组": "每道題目發布時要通知的身分組",
    "设置": "設定",
    "题数": "題數",
    "题目数量（默认 5）": "題目數量（預設 5）",
    "on、HH:MM 或 off": "on、HH:MM 或 off",
}
