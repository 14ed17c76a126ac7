// Chinese first, English on request; the choice is kept in localStorage (a preference, never a credential).
// The sentence for each problem code, in both languages side by side, is in problems.json (a test holds it to
// ProblemCodes.cs); the labels of the pages are the two tables below.
import problems from './problems.json' with { type: 'json' };

const zh = {
  brand: 'DataSpace 数据空间', skip: '跳到主要内容', loading: '正在加载…', lang: 'English',
  signIn: '登录', signOut: '退出登录', signOutEverywhere: '退出所有设备', email: '电子邮箱', password: '密码',
  signInTitle: '登录数据空间控制台', signInHint: '使用机构管理员为您创建的账号登录。',
  catalog: '数据目录', mine: '我的数据集', consents: '数据授权', entitlements: '我的权益', rewards: '语料奖励', review: '审核队列', users: '成员',
  search: '搜索', searchLabel: '关键词（中文或英文）', noResults: '没有找到数据集。换个关键词试试，或清空搜索查看全部。',
  open: '开放', paid: '付费', draft: '草稿', published: '已发布', withdrawn: '已下架',
  owner: '提供方', industry: '行业', access: '访问方式', licence: '许可', provenance: '来源', sourceType: '来源类型', legalBasis: '合法性依据',
  collectionMethod: '采集方式', sourceSystems: '来源系统（逗号分隔）', periodStart: '采集期间起', periodEnd: '采集期间止', versions: '版本', files: '文件', download: '下载', noVersions: '还没有已提交的版本。',
  terms: '数据使用协议', accept: '接受协议', accepted: '已接受协议', noTerms: '提供方未设置数据使用协议。',
  plans: '价格方案', order: '下单', ordered: '订单已创建，等待运营方确认付款后即可下载。', noPlans: '提供方还没有上架价格方案。',
  entitlementsEmpty: '还没有权益。在数据目录中找到付费数据集，接受协议并下单；付款确认后权益会出现在这里。',
  validUntil: '有效至', active: '有效', inactive: '失效', dataset: '数据集', view: '查看',
  mineEmpty: '还没有数据集。用下面的表单登记第一个数据集。', register: '登记数据集', title: '标题', description: '描述',
  updateFrequency: '更新频率', securityLevel: '安全级别', personalInfo: '个人信息', created: '已创建',
  openVersion: '新建版本', upload: '上传文件', chooseFile: '选择文件', commit: '提交版本', publish: '发布', withdraw: '下架',
  uploaded: '上传完成', committed: '版本已提交', publishedOk: '数据集已发布', draftVersion: '草稿版本', noDraft: '没有草稿版本：先新建版本，再上传文件。',
  consentsEmpty: '还没有授权。需要让数据局读取收入和使用统计（参与语料奖励）时，在下面授予。',
  grant: '授予授权', revoke: '撤销', revokeReason: '撤销原因', revoked: '已撤销', grantee: '被授权机构 ID', categories: '数据类别', purpose: '用途说明',
  validFrom: '生效时间', status: '状态',
  policies: '奖励政策', policiesEmpty: '还没有奖励政策。先建立一个政策，再计算奖励。', newPolicy: '新建政策', name: '名称',
  runs: '奖励计算', runsEmpty: '还没有计算过奖励。选择政策和期间后开始计算。', compute: '计算奖励', periodFrom: '期间起', periodTo: '期间止',
  approve: '批准', approved: '已批准', total: '奖励合计（元）', lines: '明细数', exportXlsx: '下载 XLSX', exportCsv: '下载 CSV',
  reviewEmpty: '队列为空：没有等待审核的记录。', verify: '核验通过', return: '退回', reason: '退回原因', kind: '类型', submitted: '提交时间',
  usersEmpty: '只有您自己。用下面的表单邀请同事。', invite: '邀请成员', role: '角色', remove: '移除', initialPassword: '初始密码（只显示这一次，请转交本人）',
  displayName: '姓名', working: '处理中…', done: '完成',
  unknownProblem4xx: '请求被拒绝。请看下面的说明，改正后重试。', unknownProblem5xx: '服务器暂时出了问题。请稍后重试；如果反复出现，请联系平台运营方。',
  changePassword: '修改密码', currentPassword: '当前密码', newPassword: '新密码', repeatPassword: '再次输入新密码',
  passwordRules: '至少 12 个字符；不能与当前密码相同，不能包含您的邮箱，避免常见密码和键盘顺序。几个词组成的短语最好记也最安全。',
  passwordsDiffer: '两次输入的新密码不一致，请重新输入。', passwordChanged: '密码已更改。您在其他浏览器和设备上的会话已全部退出，本页面保持登录。',
  certificates: '挂牌证书', certificateLookup: '查验挂牌证书', certificateFacts: '证书内容', certificateNumber: '证书编号', lookUp: '查询',
  certificateHint: '输入数据产品登记凭证（挂牌证书）的编号，如 DSL-2026-000001，查看它现在是否有效、证明的数据集和版本、评估机构。证书是公开的，无需登录。',
  valid: '有效', expired: '已过期', revokedReason: '撤销原因', revokedAt: '撤销时间', version: '版本', manifestHash: '文件清单哈希（SHA-256）',
  issuedAt: '签发时间', validity: '有效期', reviewer: '审核机构', grade: '质量等级', scenarios: '应用场景', assessors: '评估机构与报告',
  assessmentKind: '评估类型', assessor: '评估机构', reportNumber: '报告编号', conclusion: '结论', compliance: '合规评估', quality: '质量评估', valuation: '价值评估',
  signatures: '签名', algorithm: '算法', keyId: '密钥标识（SHA-256）', downloadCanonical: '下载规范 JSON（签名原文）',
  canonicalHint: '签名针对的正是这份 RFC 8785 规范 JSON 的字节；可用 /v1/certificates/keys 的公钥离线验证。',
  twoFactor: '两步验证', totpCode: '验证码', totpCodeHint: '打开身份验证器应用（如 Microsoft Authenticator、Google 身份验证器、FreeOTP），输入 DataSpace 条目当前显示的 6 位数字。',
  totpOn: '已开启', totpOff: '未开启', totpOnHint: '登录时除了密码，还需要输入身份验证器应用中的验证码。',
  totpOffHint: '开启后，登录时除了密码还需要输入手机身份验证器应用中的 6 位验证码，密码泄露也登录不了。',
  enableTotp: '开启两步验证', confirmTotp: '确认开启', disableTotp: '关闭两步验证', totpSecret: '密钥（手动输入到应用）', totpUri: 'otpauth 链接',
  totpAddHint: '在身份验证器应用中添加账号：输入下面的密钥（基于时间，6 位，30 秒），或使用 otpauth 链接；然后输入应用显示的验证码。密钥只显示这一次。',
  totpEnabled: '两步验证已开启。下次登录时需要输入验证码。', totpDisabled: '两步验证已关闭。登录只需要密码。',
  organizations: '机构', payments: '待确认付款', orgName: '机构名称', uscc: '统一社会信用代码', orgRoles: '机构角色', manage: '管理',
  createOrganization: '登记机构', orgsEmpty: '还没有登记任何机构。用下面的表单登记第一个机构，再为它创建 API 客户端和管理员。',
  role_operator: '平台运营方', role_source_unit: '数源单位', role_model_builder: '模型开发方', role_data_bureau: '数据局', role_authority: '主管部门', role_assessor: '第三方评估机构',
  clients: 'API 客户端', clientsEmpty: '这个机构还没有 API 客户端。需要让它的系统调用接口时，用下面的表单创建一个。',
  createClient: '创建 API 客户端', createClientHint: '客户端获得该机构角色允许的全部权限范围；密钥只在创建时显示一次，请安全地转交给机构。',
  clientName: '客户端用途', clientId: '客户端 ID', clientSecret: '客户端密钥（只显示这一次）', scopes: '权限范围', disableClient: '停用', disabled: '已停用',
  clientCreated: 'API 客户端已创建', createUser: '创建用户', createUserHint: '例如机构的第一位管理员。初始密码由服务器生成，只显示这一次，请转交本人并提醒其修改。',
  userCreated: '用户已创建', paymentsHint: '买方下单后，订单在这里等待确认。收到款项后，填写支付渠道的流水号并确认；确认后买方即可下载。',
  paymentsEmpty: '没有等待确认的付款。买方下单后，订单会出现在这里。', buyer: '买方', seller: '卖方', price: '金额', reference: '付款流水号',
  confirmPayment: '确认收款', paymentConfirmed: '已确认收款',
  orders: '我的订单', usage: '我的用量', ordersEmpty: '还没有订单。在数据目录中找到付费数据集，接受协议后下单；订单会出现在这里。',
  order_pending_payment: '待付款', order_paid: '已付款', order_cancelled: '已取消', order_refunded: '已退款', paidAt: '付款时间',
  cancelOrder: '取消订单', orderCancelled: '订单已取消。', granularity: '统计粒度', granularity_day: '按日', granularity_month: '按月',
  usageHint: '本机构的下载记录由服务器在每次下载时记录（按上海时间统计），不由客户端上报。',
  usageEmpty: '这段时间没有下载记录。换一个期间试试，或在“我的权益”中打开数据集下载文件。',
  periodStartCol: '日期', downloads: '下载次数', completedDownloads: '完整下载', bytes: '字节数',
};
const en = {
  brand: 'DataSpace', skip: 'Skip to main content', loading: 'Loading…', lang: '中文',
  signIn: 'Sign in', signOut: 'Sign out', signOutEverywhere: 'Sign out everywhere', email: 'E-mail', password: 'Password',
  signInTitle: 'Sign in to the DataSpace console', signInHint: 'Use the account your organisation\'s admin created for you.',
  catalog: 'Catalog', mine: 'My datasets', consents: 'Consents', entitlements: 'My entitlements', rewards: 'Corpus rewards', review: 'Review queue', users: 'Users',
  search: 'Search', searchLabel: 'Keywords (Chinese or English)', noResults: 'No datasets found. Try other words, or clear the search to see all.',
  open: 'open', paid: 'paid', draft: 'draft', published: 'published', withdrawn: 'withdrawn',
  owner: 'Provider', industry: 'Industry', access: 'Access', licence: 'Licence', provenance: 'Provenance', sourceType: 'Source type', legalBasis: 'Legal basis',
  collectionMethod: 'Collection method', sourceSystems: 'Source systems (comma-separated)', periodStart: 'Collected from', periodEnd: 'Collected until', versions: 'Versions', files: 'Files', download: 'Download', noVersions: 'No committed version yet.',
  terms: 'Data use agreement', accept: 'Accept the agreement', accepted: 'Agreement accepted', noTerms: 'The provider has set no data use agreement.',
  plans: 'Plans', order: 'Order', ordered: 'Order placed; you can download once the operator confirms the payment.', noPlans: 'The provider offers no plan yet.',
  entitlementsEmpty: 'No entitlements yet. Find a paid dataset in the catalog, accept its agreement and order; once paid, it shows here.',
  validUntil: 'Valid until', active: 'active', inactive: 'inactive', dataset: 'Dataset', view: 'View',
  mineEmpty: 'No datasets yet. Register your first one with the form below.', register: 'Register a dataset', title: 'Title', description: 'Description',
  updateFrequency: 'Update frequency', securityLevel: 'Security level', personalInfo: 'Personal information', created: 'Created',
  openVersion: 'New version', upload: 'Upload file', chooseFile: 'Choose a file', commit: 'Commit version', publish: 'Publish', withdraw: 'Withdraw',
  uploaded: 'Upload complete', committed: 'Version committed', publishedOk: 'Dataset published', draftVersion: 'Draft version', noDraft: 'No draft version: open a new version, then upload files.',
  consentsEmpty: 'No consents yet. Grant one below when the bureau should read your revenue and usage (to take part in corpus rewards).',
  grant: 'Grant consent', revoke: 'Revoke', revokeReason: 'Reason for revoking', revoked: 'revoked', grantee: 'Grantee organisation id', categories: 'Categories', purpose: 'Purpose',
  validFrom: 'Valid from', status: 'Status',
  policies: 'Reward policies', policiesEmpty: 'No reward policy yet. Create one, then compute rewards.', newPolicy: 'New policy', name: 'Name',
  runs: 'Reward runs', runsEmpty: 'No reward run yet. Pick a policy and a period, then compute.', compute: 'Compute rewards', periodFrom: 'Period from', periodTo: 'Period to',
  approve: 'Approve', approved: 'approved', total: 'Total (CNY)', lines: 'Lines', exportXlsx: 'Download XLSX', exportCsv: 'Download CSV',
  reviewEmpty: 'The queue is empty: no record waits for review.', verify: 'Verify', return: 'Return', reason: 'Reason for returning', kind: 'Kind', submitted: 'Submitted',
  usersEmpty: 'Only you so far. Invite colleagues with the form below.', invite: 'Invite a user', role: 'Role', remove: 'Remove', initialPassword: 'Initial password (shown only now: hand it to the person)',
  displayName: 'Name', working: 'Working…', done: 'Done',
  unknownProblem4xx: 'The request was refused. Read the explanation below, correct it and retry.', unknownProblem5xx: 'The server has a problem right now. Retry shortly; if it keeps happening, contact the platform operator.',
  changePassword: 'Change password', currentPassword: 'Current password', newPassword: 'New password', repeatPassword: 'New password again',
  passwordRules: 'At least 12 characters; not your current password, not containing your e-mail address; avoid common passwords and keyboard runs. A phrase of a few words is easiest to remember and strongest.',
  passwordsDiffer: 'The two new passwords differ; type them again.', passwordChanged: 'Password changed. Your sessions in other browsers and on other devices have all ended; this page stays signed in.',
  certificates: 'Listing certificates', certificateLookup: 'Check a listing certificate', certificateFacts: 'What it certifies', certificateNumber: 'Certificate number', lookUp: 'Look up',
  certificateHint: 'Enter the number of a listing certificate, such as DSL-2026-000001, to see whether it is valid now, which dataset and version it certifies, and its assessors. Certificates are public: no sign-in needed.',
  valid: 'valid', expired: 'expired', revokedReason: 'Reason for revoking', revokedAt: 'Revoked at', version: 'Version', manifestHash: 'Manifest hash (SHA-256)',
  issuedAt: 'Issued at', validity: 'Validity', reviewer: 'Reviewer', grade: 'Quality grade', scenarios: 'Scenarios', assessors: 'Assessors and reports',
  assessmentKind: 'Assessment', assessor: 'Assessor', reportNumber: 'Report number', conclusion: 'Conclusion', compliance: 'compliance', quality: 'quality', valuation: 'valuation',
  signatures: 'Signatures', algorithm: 'Algorithm', keyId: 'Key id (SHA-256)', downloadCanonical: 'Download the canonical JSON (the signed bytes)',
  canonicalHint: 'The signatures are over exactly these RFC 8785 canonical JSON bytes; verify them offline with the public keys of /v1/certificates/keys.',
  twoFactor: 'Two-step verification', totpCode: 'Code', totpCodeHint: 'Open your authenticator app (such as Microsoft Authenticator, Google Authenticator or FreeOTP) and enter the 6 digits its DataSpace entry shows now.',
  totpOn: 'on', totpOff: 'off', totpOnHint: 'Signing in needs a code of your authenticator app besides the password.',
  totpOffHint: 'Once on, signing in needs a 6-digit code of the authenticator app on your phone besides the password, so a leaked password alone does not get in.',
  enableTotp: 'Turn on two-step verification', confirmTotp: 'Confirm', disableTotp: 'Turn off two-step verification', totpSecret: 'Secret (type it into the app)', totpUri: 'otpauth link',
  totpAddHint: 'Add an account to your authenticator app: type the secret below (time-based, 6 digits, 30 seconds), or use the otpauth link; then enter the code the app shows. The secret is shown only now.',
  totpEnabled: 'Two-step verification is on. Your next sign-in asks for a code.', totpDisabled: 'Two-step verification is off. Signing in needs the password only.',
  organizations: 'Organisations', payments: 'Payments to confirm', orgName: 'Name', uscc: 'Unified social credit code', orgRoles: 'Roles', manage: 'Manage',
  createOrganization: 'Register an organisation', orgsEmpty: 'No organisation is registered yet. Register the first one below, then create its API clients and its admin.',
  role_operator: 'operator', role_source_unit: 'source unit', role_model_builder: 'model builder', role_data_bureau: 'data bureau', role_authority: 'authority', role_assessor: 'assessor',
  clients: 'API clients', clientsEmpty: 'This organisation has no API client yet. Create one below when its systems should call the API.',
  createClient: 'Create an API client', createClientHint: 'The client gets every scope the organisation\'s roles allow; its secret is shown only now: hand it to the organisation safely.',
  clientName: 'What the client is for', clientId: 'Client id', clientSecret: 'Client secret (shown only now)', scopes: 'Scopes', disableClient: 'Disable', disabled: 'disabled',
  clientCreated: 'API client created', createUser: 'Create a user', createUserHint: 'For example the organisation\'s first admin. The server generates the initial password and shows it only now: hand it to the person and ask them to change it.',
  userCreated: 'User created', paymentsHint: 'Orders wait here once a buyer has placed them. When the money has arrived, enter the payment provider\'s reference and confirm; the buyer can download at once.',
  paymentsEmpty: 'No payment waits for confirmation. Orders show here once buyers place them.', buyer: 'Buyer', seller: 'Seller', price: 'Amount', reference: 'Payment reference',
  confirmPayment: 'Confirm payment', paymentConfirmed: 'Payment confirmed',
  orders: 'My orders', usage: 'My usage', ordersEmpty: 'No orders yet. Find a paid dataset in the catalog, accept its agreement and order; your orders show here.',
  order_pending_payment: 'awaiting payment', order_paid: 'paid', order_cancelled: 'cancelled', order_refunded: 'refunded', paidAt: 'Paid at',
  cancelOrder: 'Cancel order', orderCancelled: 'Order cancelled.', granularity: 'Granularity', granularity_day: 'by day', granularity_month: 'by month',
  usageHint: 'The server records your organisation\'s downloads as they happen (counted in Shanghai time); no client reports them.',
  usageEmpty: 'No downloads in this period. Try another period, or open a dataset from My entitlements and download its files.',
  periodStartCol: 'Date', downloads: 'Downloads', completedDownloads: 'Completed', bytes: 'Bytes',
};

/** The label keys of each table: a browser test holds them equal, so no label is missing in either language. */
export const labelKeys = () => ({ zh: Object.keys(zh), en: Object.keys(en) });

let lang = localStorage.getItem('dataspace.lang') === 'en' ? 'en' : 'zh';

export const t = (key) => (lang === 'en' ? en : zh)[key] ?? zh[key] ?? key;
export const currentLang = () => lang;

/** The sentence for a problem code in the current language: what went wrong and what to do; null for an unknown code. */
export const problemSentence = (code) => problems[code]?.[lang] ?? null;
export function toggleLang() {
  lang = lang === 'en' ? 'zh' : 'en';
  localStorage.setItem('dataspace.lang', lang);
}
export function applyStatic(root = document) {
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
}
