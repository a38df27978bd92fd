// The page's words in Chinese (zh-Hans) and English. The language is the first of the browser's
// languages (navigator.languages) that we have, or the one the person picked (kept in
// localStorage); Chinese when the browser asks for neither.
export const LANGS = [['zh', '中文'], ['en', 'English']];

const zh = {
  'app.title': '信息屏编辑室', skip: '跳到正文', 'nav.label': '主要页面', 'lang.label': '语言 Language',
  logout: '退出', close: '关闭', cancel: '取消', yes: '确定', confirm: '请确认', back: '返回', remove: '删除',
  saved: '已保存。', colon: '：', 'list.sep': '、',
  'tab.bundle': '内容', 'tab.sheet': '总览', 'tab.publish': '发布', 'tab.alerts': '紧急通知', 'tab.screen': '屏幕', 'tab.accounts': '账户',
  'err.network': '连不上编辑室（网络断了或编辑室没有运行）。您的修改还在本页，请稍后再试。',
  'err.400': '请求有误，请刷新页面后再试。', 'err.401': '登录已过期，请重新登录。您正在编辑的内容还在。',
  'err.403': '您的账户不能做这件事，或者页面已过期（请刷新页面）。', 'err.404': '找不到这一项，可能已被同事删除。',
  'err.409': '内容已被同事修改。', 'err.413': '太大了，编辑室不接收这么大的内容。', 'err.415': '这不是 PNG 或 JPEG 图片。',
  'err.422': '内容有错误，请先改正标红的地方。', 'err.429': '尝试次数太多，请 {s} 秒后再试。', 'err.500': '编辑室出错了，请稍后再试。',
  'err.other': '出错了（代码 {status}），请稍后再试。',
  'login.title': '登录', 'login.intro': '请用管理员给您的账户登录。', 'login.name': '用户名', 'login.password': '密码',
  'login.button': '登录', 'login.missing': '请填写用户名和密码。', 'login.wrong': '用户名或密码不对。', 'login.welcome': '欢迎，{name}。',
  'role.editor': '编辑', 'role.approver': '审核', 'role.alert_sender': '发紧急通知', 'role.admin': '管理员',
  'role_help.editor': '编辑内容、上传图片；不需要审核时可以发布。', 'role_help.approver': '编辑，并审核、发布同事的修改。',
  'role_help.alert_sender': '只发送和撤销紧急通知，可以查看内容。', 'role_help.admin': '所有事情，包括账户和设置。',
  'type.headline': '标题卡', 'type.statistic': '数据', 'type.statistic_group': '数据组', 'type.notice': '通知', 'type.image': '图片', 'type.alert': '紧急通知',
  'bundle.untitled': '（未命名的内容）', 'bundle.summary': '共 {n} 张卡片，滚动字幕 {ticker} 条。',
  'bundle.new_type': '新卡片的类型', 'bundle.add': '添加卡片', 'bundle.items': '卡片（按播放顺序）', 'bundle.empty': '还没有卡片。请选择类型后点“添加卡片”。',
  'bundle.settings': '基本设置', 'bundle.title_field': '名称（没有卡片可播时和时钟一起显示）', 'bundle.timezone': '时区',
  'bundle.timezone_hint': '播放时间表按这个时区计算，例如 Asia/Shanghai。', 'bundle.lang': '文字语言', 'bundle.default_duration': '每张卡片默认秒数',
  'bundle.default_transition': '默认切换方式', 'bundle.clock': '显示时钟和日期', 'bundle.save_settings': '保存设置',
  'row.starts': '一轮中第 {at} 开始，{d}', 'row.absent': '现在不播：{why}', 'row.untitled': '（无标题）', 'row.no_thumb': '无缩略图',
  'row.thumb_alt': '“{title}”的缩略图', 'row.schedule': '播放时间', 'row.actions': '“{title}”的操作', 'row.edit': '编辑', 'row.duplicate': '复制',
  'row.up': '上移', 'row.down': '下移', 'row.delete': '删除', 'row.delete_confirm': '删除“{title}”？',
  'sched.always': '一直播放', 'sched.title': '播放时间', 'sched.zone': '时间按 {zone} 计算。', 'sched.zone_system': '播放器所在地的时区',
  'sched.from': '从（含）', 'sched.until': '到（不含）', 'sched.days': '星期几（都不选：每天）', 'sched.time_from': '每天从', 'sched.time_until': '到',
  'sched.add_time': '添加每天的时段',
  'day.mon': '周一', 'day.tue': '周二', 'day.wed': '周三', 'day.thu': '周四', 'day.fri': '周五', 'day.sat': '周六', 'day.sun': '周日',
  'field.title': '标题', 'field.subtitle': '副标题', 'field.body': '正文', 'field.image': '图片', 'field.fit': '图片怎样放', 'field.focus': '裁切时保留的位置',
  'field.value': '数值', 'field.label': '说明', 'field.unit': '单位', 'field.comparison': '对比（如 +12.3%）', 'field.series': '柱状图',
  'field.statistics': '各项数据（2 到 6 项）', 'field.caption': '图片说明', 'field.duration': '显示秒数', 'field.transition': '切换方式', 'field.id': '编号',
  'hint.title': '可以换行；太长时自动缩小。', 'hint.body': '可以分段。', 'hint.value': '照原样显示，如 1,286 或 690万余。',
  'hint.duration': '空着：用默认值。', 'hint.id': '可不填；字母、数字、- _ .', 'hint.image': '先选择一张图片上传，或填写包里已有的图片路径。',
  'hint.focus': '0 到 1：左/上边为 0，右/下边为 1。', 'hint.series': '每行一根柱子：名称, 数值（如 2024, 690）',
  'field.priority': '级别', 'priority.1': '一般', 'priority.2': '警告', 'priority.3': '紧急',
  'hint.priority': '几条通知同时有效时，只显示级别最高的；它们结束后，较低的再显示。',
  'fit.cover': '铺满（裁掉多余部分）', 'fit.contain': '完整显示（留边）', 'fit.default_cover': '默认（铺满）', 'fit.default_contain': '默认（完整显示）',
  'focus.x': '横向', 'focus.y': '纵向',
  'transition.default': '默认', 'transition.fade': '淡入', 'transition.slide': '滑入', 'transition.cut': '直接切换',
  'group.member': '第 {n} 项', 'group.add': '再加一项', 'group.remove': '删掉这一项',
  'sev.error': '错误', 'sev.warning': '提醒', 'diag.errors': '有 {n} 处错误，改正后才能发布。', 'diag.none': '检查通过。',
  'edit.new': '新卡片', 'edit.edit': '编辑卡片', 'edit.save': '保存卡片', 'edit.added': '已添加。', 'edit.leave': '不保存就离开？这张卡片的修改会丢掉。',
  'preview.title': '预览（播放器实际画面）', 'preview.orientation': '屏幕方向', 'preview.waiting': '正在检查……', 'preview.drawing': '正在绘制预览……',
  'preview.ready': '{o}预览已更新。', 'preview.fix_errors': '改正错误后显示预览。', 'preview.alt': '这张卡片在屏幕上的样子',
  'orient.landscape': '横屏', 'orient.portrait': '竖屏',
  'up.choose': '上传图片（PNG 或 JPEG，可用手机拍照）', 'up.progress': '上传进度', 'up.sending': '正在上传 {name}……',
  'up.done': '已上传：{path}（{w}×{h} 像素）', 'up.lost': '网络断了，图片没有传完。请再选一次，会从断开的地方继续。',
  'up.too_large': '图片太大了。请换一张小一些的图片。', 'up.not_picture': '这不是 PNG 或 JPEG 图片。', 'up.retrying': '网络不稳，正在重新连接并继续上传……',
  'ticker.title': '滚动字幕', 'ticker.items': '每行一条', 'ticker.items_hint': '在屏幕底部（或顶部）不停滚动。', 'ticker.separator': '分隔符',
  'ticker.speed': '速度（每秒像素）', 'ticker.position': '位置', 'ticker.bottom': '底部', 'ticker.top': '顶部', 'ticker.save': '保存字幕',
  'theme.title': '外观', 'theme.preset': '配色', 'theme.navy': '深蓝（默认）', 'theme.light': '浅色', 'theme.contrast': '高对比（方便老人看）',
  'theme.save': '保存配色', 'theme.logo': '单位标志', 'theme.logo_is': '当前标志：{path}', 'theme.no_logo': '还没有标志。',
  'theme.upload_logo': '上传标志（PNG 或 JPEG）', 'theme.remove_logo': '去掉标志',
  'import.open': '从表格粘贴', 'import.paste_ticker': '从表格粘贴字幕', 'import.title': '从 Excel / WPS 表格导入',
  'import.intro': '在表格里选中几行，复制，粘贴到下面；也可以选择一个 CSV 文件。先预览，再添加。', 'import.kind': '导入为',
  'import.kind_headline': '标题卡', 'import.kind_statistic': '数据', 'import.kind_ticker': '滚动字幕',
  'import.columns_headline': '每行一张卡片，列：标题、副标题、正文（后两列可空）。第一行也可以是列名。',
  'import.columns_statistic': '每行一项数据，列：说明、数值、单位、对比（单位和对比可空）。第一行也可以是列名。', 'import.columns_ticker': '每行一条字幕（一列）。',
  'import.paste': '粘贴表格内容', 'import.placeholder': '在这里粘贴（Ctrl+V）', 'import.file': '或选择 CSV 文件', 'import.preview': '预览',
  'import.preview_title': '将添加 {n} 条', 'import.will_add': '将添加 {n} 张卡片', 'import.row': '第 {row} 行', 'import.add': '添加到内容',
  'import.added': '已添加 {n} 条。',
  'sheet.title': '总览：某个时间屏幕播什么', 'sheet.intro': '选一个日期和时间（{zone}），看那时一轮播放的所有卡片。', 'sheet.at': '日期和时间',
  'sheet.show': '查看', 'sheet.length': '{at} 开始：一轮 {loop}，{n} 张卡片', 'sheet.nothing': '那时没有卡片可播，屏幕显示名称和时钟。', 'sheet.absent': '那时不播的卡片',
  'pub.title': '发布', 'pub.intro': '发布后，屏幕在当前卡片播完后换上新内容。', 'pub.has_errors': '内容还有 {n} 处错误，请先在“内容”页改正。',
  'pub.note': '说明（这次改了什么）', 'pub.note_example': '例如：更新十二月活动', 'pub.at': '定时发布（可不填：现在发布）',
  'pub.at_hint': '时间按 {zone} 计算。', 'pub.button': '发布', 'pub.done': '已发布，第 {r} 版。', 'pub.pending': '已提交，等待审核人批准。',
  'pub.scheduled': '已安排在 {at} 发布。',
  'rev.title': '最近的版本', 'rev.line': '第 {r} 版 · {at} · {by} · {n} 张卡片 · {note}', 'rev.current': '（正在播放）', 'rev.restore': '恢复第 {r} 版',
  'rev.restore_confirm': '把第 {r} 版重新发布（作为新的一版）并作为草稿？', 'rev.restored': '已恢复，发布为第 {r} 版。', 'rev.none': '还没有发布过。',
  'pending.title': '等待审核', 'pending.line': '{by} 提交于 {at}：{note}', 'pending.approve': '批准并发布', 'pending.reject': '退回',
  'pending.reject_confirm': '退回这次修改？', 'pending.approved': '已批准并发布。', 'pending.rejected': '已退回。', 'pending.none': '没有等待审核的修改。',
  'sched_pub.title': '定时发布', 'sched_pub.line': '{at} · {by} · {note}', 'sched_pub.cancel': '取消', 'sched_pub.cancel_confirm': '取消这次定时发布？',
  'sched_pub.cancelled': '已取消定时发布。', 'sched_pub.none': '没有定时发布。',
  'history.title': '记录', 'history.at': '时间', 'history.by': '谁', 'history.what': '做了什么', 'history.revision': '版本', 'history.none': '还没有记录。',
  'what.publish': '发布', 'what.approve': '批准', 'what.reject': '退回', 'what.restore': '恢复', 'what.alert': '紧急通知',
  'what.schedule': '定时发布',
  'alert.heading': '紧急通知', 'alert.intro': '马上在屏幕上显示，盖过正在播放的卡片，到时间自动结束。', 'alert.title': '标题', 'alert.title_example': '例如：停水通知',
  'alert.body': '内容', 'alert.body_example': '例如：今天 8:00 至 18:00 停水，请提前储水。', 'alert.minutes': '显示多少分钟',
  'alert.minutes_hint': '1 到 10080 分钟（一周）。', 'alert.send': '立即发送', 'alert.need_title': '请填写标题。', 'alert.sent': '已发送（第 {r} 版），屏幕马上显示。',
  'alert.active': '正在显示的紧急通知', 'alert.line': '{title}（到 {until}）', 'alert.cancel': '撤销', 'alert.cancel_confirm': '撤销“{title}”？',
  'alert.cancelled': '已撤销。', 'alert.none': '没有正在显示的紧急通知。',
  'screen.title': '本机屏幕', 'screen.alt': '屏幕现在显示的画面', 'screen.status': '播放器状态（status.json）', 'screen.refresh': '刷新',
  'screen.updated': '{at} 更新（每 5 秒自动刷新）。', 'screen.no_player': '这台机器上没有运行的播放器。', 'screen.no_content': '播放器还没有内容。',
  'screen.playing': '正在播放第 {r} 版，{n} 张卡片，从 {since} 起。',
  'acc.settings': '设置', 'acc.require_approval': '编辑的修改需要审核后才能发布', 'acc.require_approval_hint': '打开后，“编辑”发布的内容要等“审核”或管理员批准。',
  'acc.approval_on': '已打开审核。', 'acc.approval_off': '已关闭审核。', 'acc.users': '账户', 'acc.name': '用户名', 'acc.role': '角色', 'acc.password': '新密码',
  'acc.actions': '操作', 'acc.password_hint': '至少 8 个字符。', 'acc.add': '添加账户', 'acc.add_button': '添加', 'acc.added': '已添加 {name}。',
  'acc.role_of': '{name} 的角色', 'acc.password_of': '{name} 的新密码', 'acc.set_password': '改密码', 'acc.password_set': '已修改 {name} 的密码。',
  'acc.role_changed': '已修改 {name} 的角色。', 'acc.delete': '删除', 'acc.delete_confirm': '删除账户 {name}？', 'acc.deleted': '已删除 {name}。', 'acc.roles': '角色说明',
  'reason.outside_schedule': '不在播放时间内', 'reason.alert_instead': '紧急通知正在显示', 'reason.schedule_ends_before_turn': '轮到它之前播放时间已结束',
  'bundle.loop': '一轮 {loop}（分:秒）。', 'bundle.loop_varies': '各轮长短不同（播放时间表在变化，或内容有错误）。', 'sheet.fallback': '名称和时钟',
  'sheet.length_varies': '{at} 开始：{n} 张卡片（各轮长短不同）', 'history.note': '说明', 'pending.for': '（要求在 {at} 发布）',
  'what.request': '提交审核', 'what.unschedule': '取消定时发布', 'what.scheduled publish': '定时发布完成', 'what.alert removed': '撤销紧急通知', 'type.fallback': '名称和时钟',
  'conflict.title': '同事刚保存了内容', 'conflict.text': '您编辑时，同事保存了修改。您的修改还在这里，没有丢。请选择：',
  'conflict.keep': '继续编辑（先不保存）', 'conflict.theirs': '放弃我的，载入同事的', 'conflict.mine': '用我的覆盖保存', 'conflict.loaded': '已载入同事保存的内容。',
};

const en = {
  'app.title': 'Signage studio', skip: 'Skip to content', 'nav.label': 'Main pages', 'lang.label': 'Language 语言',
  logout: 'Sign out', close: 'Close', cancel: 'Cancel', yes: 'Yes', confirm: 'Please confirm', back: 'Back', remove: 'Remove',
  saved: 'Saved.', colon: ': ', 'list.sep': ', ',
  'tab.bundle': 'Content', 'tab.sheet': 'Overview', 'tab.publish': 'Publish', 'tab.alerts': 'Alerts', 'tab.screen': 'Screen', 'tab.accounts': 'Accounts',
  'err.network': 'Cannot reach the studio (the network is down or the studio is not running). Your changes are still on this page; try again in a moment.',
  'err.400': 'The request was not understood; reload the page and try again.', 'err.401': 'Your sign-in has expired; please sign in again. What you were editing is kept.',
  'err.403': 'Your account may not do this, or the page is out of date (reload it).', 'err.404': 'Not found; a colleague may have deleted it.',
  'err.409': 'A colleague changed the content.', 'err.413': 'Too large: the studio does not take something this big.', 'err.415': 'This is not a PNG or JPEG picture.',
  'err.422': 'The content has errors; fix the places marked in red first.', 'err.429': 'Too many tries; try again in {s} seconds.', 'err.500': 'The studio ran into a problem; try again in a moment.',
  'err.other': 'Something went wrong (code {status}); try again in a moment.',
  'login.title': 'Sign in', 'login.intro': 'Use the account your administrator gave you.', 'login.name': 'User name', 'login.password': 'Password',
  'login.button': 'Sign in', 'login.missing': 'Please enter your user name and password.', 'login.wrong': 'Wrong user name or password.', 'login.welcome': 'Welcome, {name}.',
  'role.editor': 'Editor', 'role.approver': 'Approver', 'role.alert_sender': 'Alert sender', 'role.admin': 'Administrator',
  'role_help.editor': 'Edits content and uploads pictures; publishes when approval is off.', 'role_help.approver': 'Edits, and approves and publishes colleagues\' changes.',
  'role_help.alert_sender': 'Sends and cancels alerts only; can view the content.', 'role_help.admin': 'Everything, including accounts and settings.',
  'type.headline': 'Headline', 'type.statistic': 'Statistic', 'type.statistic_group': 'Statistics group', 'type.notice': 'Notice', 'type.image': 'Picture', 'type.alert': 'Alert',
  'bundle.untitled': '(untitled content)', 'bundle.summary': '{n} cards, {ticker} ticker items.',
  'bundle.new_type': 'Type of the new card', 'bundle.add': 'Add a card', 'bundle.items': 'Cards (in playing order)', 'bundle.empty': 'No cards yet. Choose a type and press "Add a card".',
  'bundle.settings': 'Settings', 'bundle.title_field': 'Name (shown with the clock when no card can play)', 'bundle.timezone': 'Time zone',
  'bundle.timezone_hint': 'Schedules follow this zone, e.g. Asia/Shanghai.', 'bundle.lang': 'Language of the text', 'bundle.default_duration': 'Seconds per card (default)',
  'bundle.default_transition': 'Default transition', 'bundle.clock': 'Show the clock and date', 'bundle.save_settings': 'Save settings',
  'row.starts': 'starts at {at} in the loop, {d}', 'row.absent': 'not playing now: {why}', 'row.untitled': '(no title)', 'row.no_thumb': 'no thumbnail',
  'row.thumb_alt': 'Thumbnail of "{title}"', 'row.schedule': 'Plays', 'row.actions': 'Actions for "{title}"', 'row.edit': 'Edit', 'row.duplicate': 'Duplicate',
  'row.up': 'Move up', 'row.down': 'Move down', 'row.delete': 'Delete', 'row.delete_confirm': 'Delete "{title}"?',
  'sched.always': 'always', 'sched.title': 'When it plays', 'sched.zone': 'Times are in {zone}.', 'sched.zone_system': 'the player\'s own time zone',
  'sched.from': 'From (inclusive)', 'sched.until': 'Until (exclusive)', 'sched.days': 'Days of the week (none ticked: every day)', 'sched.time_from': 'Every day from', 'sched.time_until': 'until',
  'sched.add_time': 'Add a daily time window',
  'day.mon': 'Mon', 'day.tue': 'Tue', 'day.wed': 'Wed', 'day.thu': 'Thu', 'day.fri': 'Fri', 'day.sat': 'Sat', 'day.sun': 'Sun',
  'field.title': 'Title', 'field.subtitle': 'Subtitle', 'field.body': 'Text', 'field.image': 'Picture', 'field.fit': 'How the picture fits', 'field.focus': 'Point to keep when cropping',
  'field.value': 'Value', 'field.label': 'Label', 'field.unit': 'Unit', 'field.comparison': 'Comparison (e.g. +12.3%)', 'field.series': 'Bar chart',
  'field.statistics': 'Statistics (2 to 6)', 'field.caption': 'Caption', 'field.duration': 'Seconds on screen', 'field.transition': 'Transition', 'field.id': 'Id',
  'hint.title': 'Line breaks allowed; shrinks when long.', 'hint.body': 'Paragraphs allowed.', 'hint.value': 'Shown exactly as written, e.g. 1,286 or 690万余.',
  'hint.duration': 'Empty: the default.', 'hint.id': 'Optional; letters, digits, - _ .', 'hint.image': 'Upload a picture below, or type the path of one already in the bundle.',
  'hint.focus': '0 to 1: left/top is 0, right/bottom is 1.', 'hint.series': 'One bar per line: name, value (e.g. 2024, 690)',
  'field.priority': 'Priority', 'priority.1': 'Information', 'priority.2': 'Warning', 'priority.3': 'Emergency',
  'hint.priority': 'When several alerts are on at once, only those of the highest priority show; lower ones show again when those end.',
  'fit.cover': 'Fill (crop the rest)', 'fit.contain': 'Whole picture (with borders)', 'fit.default_cover': 'Default (fill)', 'fit.default_contain': 'Default (whole picture)',
  'focus.x': 'Across', 'focus.y': 'Down',
  'transition.default': 'Default', 'transition.fade': 'Fade', 'transition.slide': 'Slide', 'transition.cut': 'Cut',
  'group.member': 'Statistic {n}', 'group.add': 'Add a statistic', 'group.remove': 'Remove this one',
  'sev.error': 'Error', 'sev.warning': 'Note', 'diag.errors': '{n} errors to fix before publishing.', 'diag.none': 'No problems found.',
  'edit.new': 'New card', 'edit.edit': 'Edit card', 'edit.save': 'Save card', 'edit.added': 'Added.', 'edit.leave': 'Leave without saving? The changes to this card are dropped.',
  'preview.title': 'Preview (as the player draws it)', 'preview.orientation': 'Screen orientation', 'preview.waiting': 'Checking…', 'preview.drawing': 'Drawing the preview…',
  'preview.ready': '{o} preview updated.', 'preview.fix_errors': 'The preview shows once the errors are fixed.', 'preview.alt': 'This card as the screen shows it',
  'orient.landscape': 'Landscape', 'orient.portrait': 'Portrait',
  'up.choose': 'Upload a picture (PNG or JPEG; a phone camera works)', 'up.progress': 'Upload progress', 'up.sending': 'Uploading {name}…',
  'up.done': 'Uploaded: {path} ({w}×{h} px)', 'up.lost': 'The connection was lost before the picture was sent. Choose it again: it goes on from where it stopped.',
  'up.too_large': 'The picture is too large. Choose a smaller one.', 'up.not_picture': 'This is not a PNG or JPEG picture.', 'up.retrying': 'The connection is unsteady; reconnecting and going on…',
  'ticker.title': 'Ticker', 'ticker.items': 'One item per line', 'ticker.items_hint': 'Crawls along the bottom (or top) of the screen.', 'ticker.separator': 'Separator',
  'ticker.speed': 'Speed (pixels per second)', 'ticker.position': 'Position', 'ticker.bottom': 'Bottom', 'ticker.top': 'Top', 'ticker.save': 'Save ticker',
  'theme.title': 'Look', 'theme.preset': 'Colours', 'theme.navy': 'Navy (default)', 'theme.light': 'Light', 'theme.contrast': 'High contrast (for older eyes)',
  'theme.save': 'Save colours', 'theme.logo': 'Logo', 'theme.logo_is': 'Logo: {path}', 'theme.no_logo': 'No logo yet.',
  'theme.upload_logo': 'Upload a logo (PNG or JPEG)', 'theme.remove_logo': 'Remove the logo',
  'import.open': 'Paste from a spreadsheet', 'import.paste_ticker': 'Paste ticker items from a spreadsheet', 'import.title': 'Import from Excel / WPS',
  'import.intro': 'Select rows in the spreadsheet, copy, and paste them below; or choose a CSV file. Preview first, then add.', 'import.kind': 'Import as',
  'import.kind_headline': 'Headlines', 'import.kind_statistic': 'Statistics', 'import.kind_ticker': 'Ticker items',
  'import.columns_headline': 'One card per row; columns: title, subtitle, text (the last two may be empty). The first row may name the columns.',
  'import.columns_statistic': 'One statistic per row; columns: label, value, unit, comparison (unit and comparison may be empty). The first row may name the columns.', 'import.columns_ticker': 'One ticker item per row (one column).',
  'import.paste': 'Paste the rows', 'import.placeholder': 'Paste here (Ctrl+V)', 'import.file': 'Or choose a CSV file', 'import.preview': 'Preview',
  'import.preview_title': '{n} to add', 'import.will_add': '{n} cards to add', 'import.row': 'Row {row}', 'import.add': 'Add to the content',
  'import.added': '{n} added.',
  'sheet.title': 'Overview: what the screen shows at a time', 'sheet.intro': 'Choose a date and time ({zone}) to see every card of the loop then.', 'sheet.at': 'Date and time',
  'sheet.show': 'Show', 'sheet.length': 'From {at}: one loop lasts {loop}, {n} cards', 'sheet.nothing': 'No card can play then; the screen shows the name and the clock.', 'sheet.absent': 'Cards not playing then',
  'pub.title': 'Publish', 'pub.intro': 'Screens take the new content when the card on screen has finished.', 'pub.has_errors': 'The content has {n} errors; fix them on the Content page first.',
  'pub.note': 'Note (what changed)', 'pub.note_example': 'e.g. December events', 'pub.at': 'Publish at (empty: now)',
  'pub.at_hint': 'Time in {zone}.', 'pub.button': 'Publish', 'pub.done': 'Published as revision {r}.', 'pub.pending': 'Sent for approval.',
  'pub.scheduled': 'Will be published at {at}.',
  'rev.title': 'Recent revisions', 'rev.line': 'Revision {r} · {at} · {by} · {n} cards · {note}', 'rev.current': '(playing)', 'rev.restore': 'Restore revision {r}',
  'rev.restore_confirm': 'Publish revision {r} again (as a new revision) and make it the draft?', 'rev.restored': 'Restored, published as revision {r}.', 'rev.none': 'Nothing published yet.',
  'pending.title': 'Waiting for approval', 'pending.line': '{by} at {at}: {note}', 'pending.approve': 'Approve and publish', 'pending.reject': 'Send back',
  'pending.reject_confirm': 'Send this change back?', 'pending.approved': 'Approved and published.', 'pending.rejected': 'Sent back.', 'pending.none': 'Nothing waiting for approval.',
  'sched_pub.title': 'Scheduled publishes', 'sched_pub.line': '{at} · {by} · {note}', 'sched_pub.cancel': 'Cancel', 'sched_pub.cancel_confirm': 'Cancel this scheduled publish?',
  'sched_pub.cancelled': 'Scheduled publish cancelled.', 'sched_pub.none': 'No scheduled publishes.',
  'history.title': 'History', 'history.at': 'When', 'history.by': 'Who', 'history.what': 'What', 'history.revision': 'Revision', 'history.none': 'Nothing yet.',
  'what.publish': 'published', 'what.approve': 'approved', 'what.reject': 'sent back', 'what.restore': 'restored', 'what.alert': 'alert',
  'what.schedule': 'scheduled',
  'alert.heading': 'Alerts', 'alert.intro': 'Shows on the screens at once, over the card playing, and ends by itself.', 'alert.title': 'Title', 'alert.title_example': 'e.g. Water cut',
  'alert.body': 'Text', 'alert.body_example': 'e.g. No water today from 8:00 to 18:00.', 'alert.minutes': 'Minutes to show it',
  'alert.minutes_hint': '1 to 10080 minutes (a week).', 'alert.send': 'Send now', 'alert.need_title': 'Please enter a title.', 'alert.sent': 'Sent (revision {r}); the screens show it now.',
  'alert.active': 'Alerts showing now', 'alert.line': '{title} (until {until})', 'alert.cancel': 'Cancel', 'alert.cancel_confirm': 'Cancel "{title}"?',
  'alert.cancelled': 'Cancelled.', 'alert.none': 'No alert is showing.',
  'screen.title': 'This machine\'s screen', 'screen.alt': 'What the screen shows now', 'screen.status': 'Player status (status.json)', 'screen.refresh': 'Refresh',
  'screen.updated': 'Updated at {at} (refreshes every 5 seconds).', 'screen.no_player': 'No player runs on this machine.', 'screen.no_content': 'The player has no content yet.',
  'screen.playing': 'Playing revision {r}, {n} cards, since {since}.',
  'acc.settings': 'Settings', 'acc.require_approval': 'Editors\' changes need approval before they are published', 'acc.require_approval_hint': 'When on, what an editor publishes waits for an approver or an administrator.',
  'acc.approval_on': 'Approval turned on.', 'acc.approval_off': 'Approval turned off.', 'acc.users': 'Accounts', 'acc.name': 'User name', 'acc.role': 'Role', 'acc.password': 'New password',
  'acc.actions': 'Actions', 'acc.password_hint': 'At least 8 characters.', 'acc.add': 'Add an account', 'acc.add_button': 'Add', 'acc.added': '{name} added.',
  'acc.role_of': 'Role of {name}', 'acc.password_of': 'New password for {name}', 'acc.set_password': 'Set password', 'acc.password_set': 'Password of {name} changed.',
  'acc.role_changed': 'Role of {name} changed.', 'acc.delete': 'Delete', 'acc.delete_confirm': 'Delete the account {name}?', 'acc.deleted': '{name} deleted.', 'acc.roles': 'What the roles may do',
  'reason.outside_schedule': 'outside its schedule', 'reason.alert_instead': 'an alert shows instead', 'reason.schedule_ends_before_turn': 'its time ends before its turn',
  'bundle.loop': 'One loop lasts {loop} (m:ss).', 'bundle.loop_varies': 'Loops differ in length (schedules change, or the content has errors).', 'sheet.fallback': 'name and clock',
  'sheet.length_varies': 'From {at}: {n} cards (loops differ in length)', 'history.note': 'Note', 'pending.for': '(asked for {at})',
  'what.request': 'sent for approval', 'what.unschedule': 'schedule cancelled', 'what.scheduled publish': 'published as scheduled', 'what.alert removed': 'alert cancelled', 'type.fallback': 'Name and clock',
  'conflict.title': 'A colleague has just saved', 'conflict.text': 'While you were editing, a colleague saved changes. Your changes are still here. What now?',
  'conflict.keep': 'Keep editing (do not save yet)', 'conflict.theirs': 'Drop mine, load theirs', 'conflict.mine': 'Save mine over theirs', 'conflict.loaded': 'Loaded what your colleague saved.',
};

const DICTS = { zh, en };
const listeners = [];

function pick() {
  const stored = localStorage.getItem('studio.lang');
  if (stored && DICTS[stored]) return stored;
  for (const tag of navigator.languages || [navigator.language || '']) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (DICTS[base]) return base;
  }
  return 'zh';
}

let current = pick();
applyDocumentLang();

function applyDocumentLang() {
  document.documentElement.lang = current === 'zh' ? 'zh-Hans' : 'en';
}

export function lang() { return current; }

export function setLang(code) {
  if (!DICTS[code] || code === current) return;
  current = code;
  localStorage.setItem('studio.lang', code);
  applyDocumentLang();
  for (const fn of listeners) fn();
}

export function onLangChange(fn) { listeners.push(fn); }

// t('bundle.summary', {n: 3}): the words for `key` with {placeholders} filled in.
export function t(key, vars = {}) {
  const text = DICTS[current][key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (vars[name] !== undefined ? String(vars[name]) : m));
}
t.has = (key) => key in DICTS[current] || key in en;
