//! Every string the UI shows, in pt-BR (the default) and English, checked at compile time:
//! a key missing a translation does not build.
use crate::domain::{
    audit::AuditAction,
    dead_letter::{DeadLetterKind, DeadLetterReason},
    error::FieldCode,
    instance::ConnectionFailure,
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    PtBr,
    En,
}

impl Locale {
    /// The cookie that remembers the choice.
    pub const COOKIE: &'static str = "ic_lang";

    pub fn tag(self) -> &'static str {
        match self {
            Self::PtBr => "pt-BR",
            Self::En => "en",
        }
    }

    /// Accepts the tags this app writes; anything else is the default, pt-BR.
    pub fn from_tag(tag: &str) -> Self {
        if tag.eq_ignore_ascii_case("en") {
            Self::En
        } else {
            Self::PtBr
        }
    }

    /// The other language, offered by the switch.
    pub fn other(self) -> Self {
        match self {
            Self::PtBr => Self::En,
            Self::En => Self::PtBr,
        }
    }

    /// `n` with the language's thousands separator (1.234.567 or 1,234,567).
    pub fn number(self, n: i64) -> String {
        let separator = match self {
            Self::PtBr => '.',
            Self::En => ',',
        };
        let digits = n.unsigned_abs().to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 1);
        if n < 0 {
            grouped.push('-');
        }
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(separator);
            }
            grouped.push(digit);
        }
        grouped
    }

    /// A day as a chart's axis names it: `03/11` or `Nov 3`.
    pub fn short_day(self, day: chrono::NaiveDate) -> String {
        match self {
            Self::PtBr => day.format("%d/%m").to_string(),
            Self::En => day.format("%b %-d").to_string(),
        }
    }

    /// The locale a `Cookie` header asks for.
    pub fn from_cookie_header(header: &str) -> Self {
        header
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == Self::COOKIE)
            .map_or_else(Self::default, |(_, value)| Self::from_tag(value))
    }

    pub fn t(self, key: Key) -> &'static str {
        key.text(self)
    }
}

macro_rules! keys {
    ($($key:ident => $pt:literal, $en:literal;)*) => {
        /// A UI string. Each has both translations by construction.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Key { $($key),* }

        impl Key {
            pub const ALL: &'static [Key] = &[$(Key::$key),*];

            pub fn text(self, locale: Locale) -> &'static str {
                match (self, locale) {
                    $( (Key::$key, Locale::PtBr) => $pt, (Key::$key, Locale::En) => $en, )*
                }
            }
        }
    };
}

keys! {
    AppName => "Insta-Clerky", "Insta-Clerky";
    NavNotifications => "Notificações", "Notifications";
    NavInbox => "Conversas", "Inbox";
    NavApi => "API", "API";
    NavComments => "Comentários", "Comments";
    CommentsTitle => "Comentários", "Comments";
    CommentsPosts => "Posts e reels", "Posts and reels";
    CommentsNoPosts => "Nenhum post ainda.", "No posts yet.";
    CommentsCount => "comentários", "comments";
    CommentsPick => "Escolha um post para ver os comentários.", "Pick a post to see its comments.";
    CommentsNone => "Nenhum comentário neste post ainda.", "No comments on this post yet.";
    CommentsPostsUnavailable => "O Instagram não respondeu agora: aparecem só os posts com comentários guardados, sem foto.", "Instagram did not answer now: only posts with stored comments show, without pictures.";
    CommentsPost => "Post", "Post";
    CommentsOpenPost => "Abrir no Instagram", "Open on Instagram";
    CommentsYou => "Você", "You";
    CommentsHidden => "Oculto", "Hidden";
    CommentsAnswer => "Responder", "Reply";
    CommentsAnswerLabel => "Sua resposta", "Your reply";
    CommentsPublic => "Em público, no post", "Publicly, on the post";
    CommentsPrivate => "Por DM (resposta privada)", "By DM (private reply)";
    CommentsPrivateUsed => "Resposta privada já enviada", "Private reply already sent";
    CommentsSend => "Enviar", "Send";
    CommentsSent => "Resposta na fila: sai em instantes.", "Reply queued: it goes out in a moment.";
    CommentsHide => "Ocultar", "Hide";
    CommentsUnhide => "Mostrar de novo", "Show again";
    CommentsVisibility => "Pronto: a visibilidade do comentário mudou no Instagram.", "Done: the comment's visibility changed on Instagram.";
    FieldCommentHidden => "Este comentário está oculto: mostre-o de novo para responder em público.", "This comment is hidden: show it again to reply publicly.";
    FieldOwnComment => "Este comentário é da própria conta.", "This comment is the account's own.";
    FieldPrivateReplyExpired => "A Meta só aceita resposta privada até 7 dias depois do comentário.", "Meta takes a private reply only up to 7 days after the comment.";
    FieldPrivateReplyUsed => "A Meta aceita uma resposta privada por comentário, e esta já foi enviada.", "Meta takes one private reply per comment, and this one was sent.";
    FieldTryAgain => "Outra resposta saiu ao mesmo tempo: tente de novo.", "Another reply went out at the same time: try again.";
    FieldMetaRefused => "O Instagram recusou: o comentário pode ter sido apagado.", "Instagram refused: the comment may have been deleted.";
    NavLeads => "Leads", "Leads";
    LeadsTitle => "Leads para o CRM", "Leads to the CRM";
    LeadsIntro => "A primeira DM ou o primeiro comentário de cada pessoa vira um lead no CRM da Clerky (\"Lead do Instagram: @pessoa\"); as mensagens seguintes entram no mesmo lead. Cada evento é um POST JSON assinado com HMAC-SHA256 no cabeçalho X-Insta-Clerky-Signature, com novas tentativas por 24 horas.", "Each person's first DM or comment becomes a lead in Clerky's CRM (\"Lead do Instagram: @person\"); later messages are added to the same lead. Each event is a JSON POST signed with HMAC-SHA256 in the X-Insta-Clerky-Signature header, retried for 24 hours.";
    LeadsUrl => "URL do webhook do CRM", "CRM webhook URL";
    LeadsSecret => "Segredo de assinatura", "Signing secret";
    LeadsSecretHint => "Deixe em branco para manter o atual (ou gerar um novo). Mínimo de 16 caracteres.", "Leave blank to keep the current one (or make one). At least 16 characters.";
    LeadsSave => "Salvar webhook", "Save webhook";
    LeadsSaved => "Webhook salvo: os próximos leads vão para ele.", "Webhook saved: the next leads go to it.";
    LeadsRemove => "Parar de enviar", "Stop sending";
    LeadsRemoved => "Envio de leads desligado.", "Lead sending turned off.";
    LeadsOff => "Nenhum webhook configurado: os leads desta instância não são enviados.", "No webhook set: this instance's leads are not sent.";
    LeadsDemo => "Demonstração: use o receptor do sandbox,", "Demo: use the sandbox's receiver,";
    LeadsDemoSee => "e veja o que chegou", "and see what arrived";
    LeadsLog => "Entregas", "Deliveries";
    LeadsEmpty => "Nenhum lead ainda: quando alguém mandar uma DM ou comentar, ele aparece aqui.", "No leads yet: when someone sends a DM or comments, it shows here.";
    LeadsCreated => "Novo lead", "New lead";
    LeadsUpdated => "Adição ao lead", "Added to the lead";
    LeadsPending => "Na fila", "Queued";
    LeadsDelivered => "Entregue", "Delivered";
    LeadsFailed => "Desistimos", "Gave up";
    LeadsAttempts => "Tentativas", "Attempts";
    LeadsLastError => "Último erro", "Last error";
    LeadsNextAttempt => "próxima tentativa", "next attempt";
    LeadsReplay => "Reenviar", "Send again";
    LeadsReplayed => "Evento de volta à fila: sai em instantes.", "Event queued again: it goes out in a moment.";
    LeadsChannelDm => "DM", "DM";
    LeadsChannelComment => "Comentário", "Comment";
    FieldUrlInvalid => "Informe uma URL http ou https completa.", "Enter a full http or https URL.";
    FieldUrlHttps => "Use https: os leads levam dados de pessoas.", "Use https: leads carry people's data.";
    FieldUrlPrivate => "Esse endereço é de rede interna: use o endereço público do CRM.", "That address is on an internal network: use the CRM's public address.";
    FieldSecretLength => "O segredo precisa ter de 16 a 200 caracteres.", "The secret needs 16 to 200 characters.";
    ApiKeysTitle => "Chaves de API", "API keys";
    ApiKeysIntro => "Com uma chave, o seu sistema (ou o CRM da Clerky) chama a API REST do Insta-Clerky: instâncias, automações, relatórios, conversas e envio de DMs. Cada chave alcança só as suas instâncias.", "With a key, your system (or Clerky's CRM) calls Insta-Clerky's REST API: instances, automations, reports, conversations and sending DMs. Each key reaches your own instances only.";
    ApiKeysDocs => "Documentação da API", "API documentation";
    ApiKeysName => "Nome da chave", "Key name";
    ApiKeysNameHint => "Para lembrar onde ela é usada, como \"CRM\" ou \"Zapier\".", "To remember where it is used, such as \"CRM\" or \"Zapier\".";
    ApiKeysCreate => "Criar chave", "Create key";
    ApiKeysCreated => "Chave criada. Copie agora: por segurança, ela não aparece de novo.", "Key created. Copy it now: for safety, it is not shown again.";
    ApiKeysNew => "Sua nova chave", "Your new key";
    ApiKeysEmpty => "Nenhuma chave ainda.", "No keys yet.";
    ApiKeysPrefix => "Começa com", "Starts with";
    ApiKeysCreatedAt => "Criada em", "Created";
    ApiKeysLastUsed => "Último uso", "Last used";
    ApiKeysNever => "nunca", "never";
    ApiKeysRevoke => "Revogar", "Revoke";
    ApiKeysRevoked => "Chave revogada: quem a usava recebe 401 a partir de agora.", "Key revoked: whoever used it gets 401 from now on.";
    FieldTooManyKeys => "Limite de 20 chaves: revogue uma antes de criar outra.", "Limit of 20 keys: revoke one before making another.";
    FieldLinksOnly => "Por aqui só botões de link.", "Only link buttons here.";
    ChooseInstance => "Escolha uma instância", "Choose an instance";
    InboxTitle => "Conversas", "Conversations";
    InboxEmpty => "Nenhuma conversa ainda: quando alguém mandar uma DM, ela aparece aqui.", "No conversations yet: when someone sends a DM, it shows here.";
    InboxNoMatch => "Nenhuma conversa com isso.", "No conversation matches.";
    InboxSearch => "Buscar por @ ou texto", "Search by @ or text";
    InboxPick => "Escolha uma conversa.", "Pick a conversation.";
    InboxBack => "← Conversas", "← Conversations";
    InboxYou => "Você", "You";
    InboxAutomated => "automação", "automation";
    InboxFromApp => "pelo app do Instagram", "from the Instagram app";
    InboxStory => "Respondeu ao seu story", "Replied to your story";
    InboxAttachment => "Anexo", "Attachment";
    InboxReply => "Responder", "Reply";
    InboxReplyLabel => "Sua resposta", "Your reply";
    InboxImageLabel => "Imagem (URL https, opcional)", "Image (https URL, optional)";
    InboxSend => "Enviar", "Send";
    InboxSent => "Resposta na fila: sai em instantes.", "Reply queued: it goes out in a moment.";
    InboxWindowOpen => "Janela de 24 horas aberta até", "24-hour window open until";
    InboxWindowClosed => "A janela de 24 horas da Meta fechou: só dá para responder depois que a pessoa escrever de novo.", "Meta's 24-hour window closed: you can answer only after the person writes again.";
    InboxPaused => "Automações pausadas nesta conversa até", "Automations paused in this conversation until";
    InboxPausedWhy => "alguém respondeu à mão.", "someone answered by hand.";
    InboxResume => "Retomar automações", "Resume automations";
    InboxResumed => "Automações retomadas nesta conversa: a próxima mensagem já pode ser respondida.", "Automations resumed in this conversation: the next message can be answered.";
    InboxUnread => "não lidas", "unread";
    ReasonHuman => "Alguém respondeu à mão: automações pausadas nesta conversa", "Someone answered by hand: automations paused in this conversation";
    FieldWindowClosed => "A janela de 24 horas fechou: espere a pessoa escrever de novo.", "The 24-hour window closed: wait for the person to write again.";
    InsightsLink => "Insights", "Insights";
    InsightsTitle => "Insights", "Insights";
    InsightsFollowers => "Seguidores", "Followers";
    InsightsReach => "Alcance", "Reach";
    InsightsViews => "Visualizações", "Views";
    InsightsProfileViews => "Visitas ao perfil", "Profile views";
    InsightsUnavailable => "A Meta não informa mais este número.", "Meta no longer reports this figure.";
    InsightsNone => "Ainda sem números: a sincronização diária ainda não rodou para esta instância. Use Atualizar agora.", "No figures yet: the daily sync has not run for this instance. Use Refresh now.";
    InsightsRefresh => "Atualizar agora", "Refresh now";
    InsightsRefreshed => "Números atualizados.", "Figures refreshed.";
    InsightsSynced => "Atualizado", "Updated";
    InsightsNextRefresh => "Nova atualização possível às", "Next refresh possible at";
    InsightsDaily => "Os números são lidos da Meta uma vez por dia; a Meta pode atrasá-los em até 48 horas.", "Figures are read from Meta once a day; Meta may delay them by up to 48 hours.";
    InsightsChange => "em 7 dias", "in 7 days";
    FieldRefreshCooldown => "Atualizado há pouco: tente de novo em alguns minutos (no máximo a cada 15 minutos).", "Refreshed a moment ago: try again in a few minutes (at most every 15 minutes).";
    HealthTitle => "Saúde do serviço", "Service health";
    HealthConnected => "Contas conectadas", "Connected accounts";
    HealthOf => "de", "of";
    HealthInError => "Contas em erro", "Accounts in error";
    HealthExpiring => "Tokens expirando em 7 dias", "Tokens expiring within 7 days";
    HealthIntake => "Entregas aguardando", "Deliveries waiting";
    HealthOutbox => "Respostas na fila", "Replies queued";
    HealthDeadLetters => "Falhas em aberto", "Open failures";
    HealthOldest => "mais antiga há", "oldest";
    HealthSeconds => "s", "s ago";
    HealthMetaTitle => "API da Meta nos últimos", "Meta's API over the last";
    HealthMinutes => "minutos", "minutes";
    HealthMetaOk => "A Meta está respondendo normalmente.", "Meta is answering normally.";
    HealthMetaDegraded => "A Meta está falhando em mais de 10% das chamadas.", "Meta is failing more than 10% of calls.";
    HealthMetaNone => "Nenhuma chamada à Meta nesse período.", "No calls to Meta in that time.";
    HealthEndpoint => "Chamada", "Call";
    HealthOkCalls => "Certas", "Succeeded";
    HealthRefused => "Recusadas (4xx)", "Refused (4xx)";
    HealthFailed => "Falhas (5xx, tempo)", "Failed (5xx, time-out)";
    NotificationsUnread => "não lidas", "unread";
    NotificationsTitle => "Notificações", "Notifications";
    NotificationsEmpty => "Nada por aqui ainda: avisamos quando uma instância precisar de você.", "Nothing here yet: we will tell you when an instance needs you.";
    NotificationsMarkRead => "Marcar como lida", "Mark as read";
    NotificationsMarkAllRead => "Marcar todas como lidas", "Mark all as read";
    NotificationsMarkedRead => "Notificações marcadas como lidas.", "Notifications marked as read.";
    NotificationsOpen => "Abrir", "Open";
    NotificationsNew => "Nova", "New";
    NotificationsEmailTitle => "Receber por e-mail", "Receive by e-mail";
    NotificationsEmailHint => "Cada aviso chega uma vez, no e-mail da sua conta.", "Each notice arrives once, at your account's e-mail.";
    NotificationsEmailUnavailable => "Este servidor não envia e-mails: os avisos ficam só aqui.", "This server sends no e-mail: notices stay here only.";
    NotificationsSave => "Salvar preferências", "Save preferences";
    NotificationsSaved => "Preferências salvas.", "Preferences saved.";
    OutcomeRenamed => "Nome salvo.", "Name saved.";
    OutcomeDisconnected => "Instância desconectada: ela não recebe nem responde mais nada.", "Instance disconnected: it no longer receives or answers anything.";
    OutcomeDeleted => "Instância excluída.", "Instance deleted.";
    OutcomePaused => "Automações desta instância pausadas.", "This instance's automations are paused.";
    OutcomeResumed => "Automações desta instância retomadas.", "This instance's automations are running again.";
    OutcomeCapSaved => "Limite diário salvo.", "Daily cap saved.";
    OutcomeRefreshed => "Token renovado na Meta.", "Token renewed at Meta.";
    OutcomeActivated => "Automação ativada.", "Automation activated.";
    OutcomeDeactivated => "Automação desativada.", "Automation deactivated.";
    OutcomeAutomationDeleted => "Automação excluída.", "Automation deleted.";
    OutcomeMoved => "Ordem das automações salva.", "Automation order saved.";
    OutcomeRanAgain => "Executado de novo: desta vez deu certo.", "Ran again: this time it went through.";
    OutcomeRetried => "Resposta de volta à fila: ela sai em instantes.", "Reply back in the queue: it goes out shortly.";
    NoticeFirstConnectionTitle => "Instância conectada", "Instance connected";
    NoticeFirstConnectionText => "{instance} está conectada ao Instagram: as automações já respondem.", "{instance} is connected to Instagram: its automations answer from now on.";
    NoticeTokenExpiringTitle => "Acesso ao Instagram expirando", "Instagram access expiring";
    NoticeTokenExpiringText => "O acesso de {instance} ao Instagram expira em {detail} dia(s) e não pôde ser renovado. Reconecte para as automações não pararem.", "{instance}'s access to Instagram expires in {detail} day(s) and could not be renewed. Reconnect so its automations keep answering.";
    NoticeConnectionLostTitle => "Conexão perdida", "Connection lost";
    NoticeConnectionLostText => "O Instagram recusou o acesso de {instance} (senha trocada ou permissão removida). Nada é respondido até você reconectar.", "Instagram refused {instance}'s access (password changed or permission removed). Nothing is answered until you reconnect.";
    NoticeDailyCapTitle => "Limite diário atingido", "Daily limit reached";
    NoticeDailyCapText => "{instance} enviou todas as respostas permitidas hoje; as próximas mensagens ficam sem resposta até amanhã (UTC). Ajuste o limite no cartão da instância.", "{instance} sent every reply allowed today; further messages go unanswered until tomorrow (UTC). Change the limit on the instance card.";
    NoticeAutomationFailingTitle => "Automação falhando", "Automation failing";
    NoticeAutomationFailingText => "As respostas da automação “{detail}” de {instance} falharam várias vezes hoje. Veja os motivos nos relatórios.", "Replies of the automation “{detail}” of {instance} failed several times today. See why in the reports.";
    NavInstances => "Instâncias", "Instances";
    NavAutomations => "Automações", "Automations";
    NavReports => "Relatórios", "Reports";
    NavAdmin => "Admin", "Admin";
    NavMenu => "Menu", "Menu";
    SwitchLanguage => "English", "Português";
    SignOut => "Sair", "Sign out";
    SignIn => "Entrar", "Sign in";
    SignUp => "Criar conta", "Sign up";
    SignInTitle => "Entre na sua conta", "Sign in to your account";
    SignUpTitle => "Crie sua conta", "Create your account";
    Email => "E-mail", "Email";
    Password => "Senha", "Password";
    Name => "Nome", "Name";
    PasswordHint => "Pelo menos 8 caracteres.", "At least 8 characters.";
    NoAccount => "Ainda não tem conta?", "No account yet?";
    HaveAccount => "Já tem conta?", "Already have an account?";
    SignedInAs => "Conectado como", "Signed in as";
    Loading => "Carregando…", "Loading…";
    Working => "Aguarde…", "Please wait…";
    WrongCredentials => "E-mail ou senha incorretos.", "Wrong email or password.";
    EmailNotConfirmed => "Confirme seu e-mail antes de entrar: enviamos um novo link para a sua caixa de entrada.", "Confirm your e-mail before signing in: we sent a new link to your inbox.";
    MailUnavailable => "Não conseguimos enviar e-mails agora, e o cadastro precisa de um. Tente de novo em alguns minutos.", "We cannot send e-mail right now, and signing up needs one. Try again in a few minutes.";
    ServiceUnavailable => "O serviço está indisponível por um instante. Tente de novo em alguns segundos.", "The service is unavailable for a moment. Try again in a few seconds.";
    SignUpSentTitle => "Confira seu e-mail", "Check your e-mail";
    SignUpSent => "Enviamos um link para o e-mail informado. Abra-o para ativar a conta e entrar (veja também o spam).", "We sent a link to the e-mail you gave. Open it to activate the account and sign in (check spam too).";
    ConfirmTitle => "Confirmar e-mail", "Confirm e-mail";
    ConfirmText => "Confirme que este é o seu e-mail para ativar a conta.", "Confirm this is your e-mail to activate the account.";
    ConfirmButton => "Confirmar e entrar", "Confirm and sign in";
    ConfirmInvalid => "Este link de confirmação expirou ou já foi usado. Entre com seu e-mail e senha para receber um novo.", "This confirmation link expired or was already used. Sign in with your e-mail and password to get a new one.";
    RateLimited => "Muitas tentativas. Aguarde um minuto e tente de novo.", "Too many attempts. Wait a minute and try again.";
    NotSignedIn => "Sua sessão terminou. Entre novamente.", "Your session ended. Please sign in again.";
    Forbidden => "Você não tem acesso a esta página.", "You do not have access to this page.";
    NotFoundError => "Não encontramos o que você pediu.", "We could not find what you asked for.";
    InternalError => "Algo deu errado do nosso lado. Informe esta referência ao suporte:", "Something went wrong on our side. Give this reference to support:";
    TransportError => "Não foi possível falar com o servidor. Verifique sua conexão e tente de novo.", "Could not reach the server. Check your connection and try again.";
    InvalidForm => "Corrija os campos destacados.", "Please fix the highlighted fields.";
    FieldRequired => "Preencha este campo.", "Fill in this field.";
    FieldInvalidEmail => "Informe um e-mail válido, como nome@empresa.com.br.", "Enter a valid email, like name@company.com.";
    FieldTooShort => "A senha precisa de pelo menos 8 caracteres.", "The password needs at least 8 characters.";
    FieldTooLong => "Texto longo demais.", "This is too long.";
    FieldTaken => "Este e-mail já tem uma conta. Entre com ele.", "This email already has an account. Sign in with it.";
    FieldInvalid => "Valor inválido.", "Invalid value.";
    InstancesTitle => "Instâncias", "Instances";
    InstancesEmpty => "Nenhuma instância do Instagram ainda.", "No Instagram instances yet.";
    InstancesEmptyHint => "Conecte uma conta profissional do Instagram para responder mensagens e comentários automaticamente.", "Connect an Instagram professional account to answer messages and comments automatically.";
    InstancesQuota => "Seu plano permite até", "Your plan allows up to";
    InstancesQuotaUnit => "instância(s).", "instance(s).";
    StatusCreated => "Criada", "Created";
    StatusConnecting => "Conectando", "Connecting";
    StatusConnected => "Conectada", "Connected";
    StatusDisconnected => "Desconectada", "Disconnected";
    StatusError => "Erro", "Error";
    TokenExpires => "Token", "Token";
    InDays => "expira em", "expires in";
    Days => "dias", "days";
    RepliesTodayOfCap => "Respostas hoje / limite", "Replies today / limit";
    ActiveAutomations => "Automações ativas", "Active automations";
    LastFailure => "Última falha", "Last failure";
    DisconnectConfirmText => "As automações desta instância param de responder até você reconectá-la. Os relatórios ficam.", "This instance's automations stop replying until you reconnect it. The reports stay.";
    ConfirmDisconnect => "Desconectar agora", "Disconnect now";
    RetryReply => "Tentar de novo", "Try again";
    ExportCsvExcel => "CSV para Excel (;)", "CSV for Excel (;)";
    ExportCsvExcelHint => "Separado por ponto e vírgula: abre em colunas no Excel em português", "Semicolon-separated: opens in columns in a Portuguese Excel";
    PauseAutomations => "Pausar automações", "Pause automations";
    ResumeAutomations => "Retomar automações", "Resume automations";
    Paused => "Pausada", "Paused";
    PausedHint => "Automações pausadas: as mensagens e comentários continuam registrados nos relatórios, sem resposta.", "Automations paused: messages and comments are still recorded in the reports, unanswered.";
    ReasonPaused => "automações da instância pausadas", "the instance's automations are paused";
    CreatedOn => "Criada em", "Created on";
    AutomationsTitle => "Automações", "Automations";
    AutomationsEmpty => "Conecte uma instância para criar automações de mensagens e comentários.", "Connect an instance to create message and comment automations.";
    ReportsTitle => "Relatórios", "Reports";
    ReportsEmpty => "Nenhuma interação registrada ainda.", "No interactions recorded yet.";
    GoToInstances => "Ir para Instâncias", "Go to Instances";
    AutomationsNone => "Esta instância ainda não tem automações. Crie a primeira abaixo.", "This instance has no automations yet. Create the first one below.";
    NewAutomation => "Nova automação", "New automation";
    EditAutomation => "Editar automação", "Edit automation";
    AutomationName => "Nome da automação", "Automation name";
    AutomationKindLabel => "Tipo", "Type";
    KindDm => "Mensagem direta", "Direct message";
    KindComment => "Comentário", "Comment";
    TriggerLabel => "Gatilho", "Trigger";
    TriggerKeyword => "Palavras-chave", "Keywords";
    TriggerAll => "Todos", "All";
    TriggerFollowUp => "Continuação (ao tocar num botão)", "Follow-up (when a button is tapped)";
    KeywordsLabel => "Palavras-chave", "Keywords";
    KeywordsHint => "Separe por vírgula ou uma por linha. Maiúsculas e acentos não importam.", "Separate with commas or one per line. Case and accents do not matter.";
    ResponseTextHint => "Até 1000 bytes (o limite do Instagram). Use {username} para o @ da pessoa.", "Up to 1000 bytes (Instagram's limit). Use {username} for the person's @.";
    DirectReplyLabel => "Resposta por mensagem direta (DM)", "Reply by direct message (DM)";
    PrivateReplyLabel => "Resposta privada por DM (opcional)", "Private reply by DM (optional)";
    PrivateReplyHint => "Vai para o direct de quem comentou. O Instagram permite uma por comentário, em até 7 dias.", "Goes to the commenter's inbox. Instagram allows one per comment, within 7 days.";
    PublicRepliesLabel => "Respostas públicas no comentário (opcional)", "Public replies to the comment (optional)";
    PublicRepliesHint => "Uma variação por linha (até 10). Cada comentário recebe uma delas: respostas idênticas o Instagram marca como spam.", "One variant per line (up to 10). Each comment gets one of them: Instagram flags identical replies as spam.";
    RepliesLabel => "Responde com", "Replies with";
    ResponseDirect => "Mensagem direta (DM)", "Direct message (DM)";
    ResponseComment => "Resposta pública no comentário", "Public reply to the comment";
    ResponsePrivate => "Resposta privada (DM)", "Private reply (DM)";
    MatchModeLabel => "Como comparar", "How to compare";
    MatchContains => "Contém as palavras", "Contains the words";
    MatchExact => "Mensagem exata", "Exact message";
    MatchStartsWith => "Começa com", "Starts with";
    ExcludeLabel => "Palavras que impedem a resposta (opcional)", "Words that stop the reply (optional)";
    ExcludeHint => "Se a mensagem tiver alguma delas, esta automação não responde.", "If the message has any of them, this automation does not reply.";
    PerPersonLabel => "Quantas vezes por pessoa", "How often per person";
    PerPersonAlways => "Sempre que pedir", "Every time";
    PerPersonOnce => "Uma vez só", "Only once";
    PerPersonHours => "Uma vez a cada N horas", "Once every N hours";
    PerPersonHoursLabel => "Horas entre respostas", "Hours between replies";
    PerPersonHint => "\"Todos\" precisa de um limite, para não responder cada mensagem da conversa nem entrar em loop com outro robô.", "\"All\" needs a limit, so it does not answer every message of a conversation nor loop with another bot.";
    PerPersonEvery => "a cada", "every";
    HoursShort => "h", "h";
    MediaKept => "Publicações escolhidas fora desta lista (mantidas):", "Chosen posts not in this list (kept):";
    MediaKeptUnavailable => "As publicações já escolhidas continuam valendo.", "The posts already chosen still apply.";
    MediaLabel => "Publicações e reels", "Posts and reels";
    MediaHint => "Só para automações de comentário. Nenhuma marcada: vale para todas.", "Comment automations only. None ticked: applies to all.";
    MediaUnavailable => "Não foi possível carregar as publicações agora.", "Could not load the posts right now.";
    SaveAutomation => "Salvar automação", "Save automation";
    CancelEdit => "Cancelar edição", "Cancel editing";
    AutomationSaved => "Automação salva. Ela vale a partir do próximo evento.", "Automation saved. It applies from the next event.";
    SharedKeywords => "Atenção: outra automação ativa desta instância já usa:", "Note: another active automation of this instance already uses:";
    Active => "Ativa", "Active";
    Inactive => "Inativa", "Inactive";
    Activate => "Ativar", "Activate";
    Deactivate => "Desativar", "Deactivate";
    Edit => "Editar", "Edit";
    RepliesToday => "Respostas hoje", "Replies today";
    RepliesTotal => "Total", "Total";
    DeleteAutomationText => "Excluir esta automação? Ela para de responder; o histórico nos relatórios continua.", "Delete this automation? It stops replying; its history in the reports stays.";
    TryTitle => "Testar", "Try it";
    TryHint => "Digite uma mensagem ou comentário de exemplo: mostramos qual automação responderia e o texto exato. Nada é enviado.", "Type a sample message or comment: we show which automation would reply and the exact text. Nothing is sent.";
    TryText => "Texto de exemplo", "Sample text";
    TryUsername => "@ de exemplo", "Sample @";
    TryButton => "Testar", "Try";
    TryNoMatch => "Nenhuma automação ativa responderia.", "No active automation would reply.";
    TryWouldFire => "Responderia:", "Would reply:";
    TryKeyword => "palavra-chave", "keyword";
    TryMedia => "Publicação do comentário", "Post of the comment";
    TryStoryReply => "Resposta ao story", "Story reply";
    ButtonsLabel => "Botões na DM (opcional, até 3)", "Buttons in the DM (optional, up to 3)";
    ButtonsHint => "Um link, ou uma continuação: a automação que responde quando a pessoa toca. Com botões, a DM tem até 640 caracteres.", "A link, or a follow-up: the automation that replies when the person taps. With buttons, the DM takes up to 640 characters.";
    ButtonTitle => "Texto do botão", "Button text";
    ButtonAction => "Ação do botão", "Button action";
    ButtonLink => "Abrir link", "Open a link";
    ButtonFollowUp => "Continuar com", "Follow up with";
    ButtonUrl => "Link do botão", "Button link";
    ButtonTarget => "Automação de continuação", "Follow-up automation";
    FollowUpNone => "— escolha a continuação —", "— choose the follow-up —";
    QuickRepliesLabel => "Respostas rápidas (opcional, até 13)", "Quick replies (optional, up to 13)";
    QuickRepliesHint => "Opções que a pessoa toca abaixo da DM (no app do Instagram); cada uma roda sua continuação.", "Options the person taps under the DM (in the Instagram app); each runs its follow-up.";
    IceBreakersTitle => "Perguntas frequentes (ice breakers)", "Frequent questions (ice breakers)";
    IceBreakersHint => "Até 4 perguntas que o Instagram mostra a quem ainda não escreveu; ao tocar, a continuação escolhida responde.", "Up to 4 questions Instagram shows to people who have not written yet; when tapped, the chosen follow-up replies.";
    IceBreakerQuestion => "Pergunta", "Question";
    IceBreakersSave => "Salvar perguntas no Instagram", "Save questions on Instagram";
    IceBreakersSaved => "Perguntas registradas no Instagram.", "Questions registered on Instagram.";
    IceBreakersCleared => "Perguntas removidas do Instagram.", "Questions removed from Instagram.";
    QuickReplyTitle => "Texto da opção", "Option text";
    TryStoryMention => "Menção no story", "Story mention";
    DmSourceLabel => "Responde a", "Answers";
    SourceMessages => "Mensagens (texto, anexos e respostas ao story)", "Messages (text, attachments and story replies)";
    SourceStoryReplies => "Só respostas aos stories", "Story replies only";
    SourceStoryMentions => "Menções da conta em stories (agradecer)", "Mentions of the account in stories (thank them)";
    TryAnyMedia => "Qualquer publicação", "Any post";
    TryHeldBack => "Mas agora não enviaria:", "But it would not send now:";
    MissInactive => "corresponderia, mas está inativa", "would match, but it is inactive";
    MissOtherType => "corresponderia, mas é de outro tipo", "would match, but it is of another type";
    MissOtherPosts => "corresponderia, mas vale só para outras publicações", "would match, but it applies to other posts only";
    MissNewer => "corresponderia, mas foi criada depois", "would match, but it was created later";
    OrderHint => "Tentadas nesta ordem: a primeira que corresponder responde.", "Tried in this order: the first that matches replies.";
    OrderLabel => "Posição", "Position";
    MoveUp => "Subir na ordem", "Move up";
    MoveDown => "Descer na ordem", "Move down";
    FieldKeywordTooLong => "Cada palavra-chave pode ter até 64 caracteres.", "Each keyword may have up to 64 characters.";
    FieldKeywordInvalid => "Uma palavra-chave precisa ter letras ou números.", "A keyword needs letters or digits.";
    FieldTooMany => "No máximo 30 palavras-chave.", "At most 30 keywords.";
    FieldTooLongBytes => "Texto longo demais: o Instagram aceita até 1000 bytes (acentos e emojis contam mais).", "Too long: Instagram accepts up to 1000 bytes (accents and emoji count more).";
    FieldCommentOnly => "Resposta pública só existe para automações de comentário.", "A public reply exists only for comment automations.";
    FieldTooManyVariants => "No máximo 10 variações.", "At most 10 variants.";
    FieldVariantTooLong => "Cada variação pode ter até 2200 caracteres (o limite do Instagram).", "Each variant may have up to 2200 characters (Instagram's limit).";
    FieldOneReplyRequired => "Escreva a resposta pública, a privada ou as duas.", "Write the public reply, the private one, or both.";
    FieldHoursRange => "Informe de 1 a 8760 horas.", "Enter 1 to 8760 hours.";
    FieldQuestionLength => "Cada pergunta tem de 1 a 80 caracteres.", "Each question has 1 to 80 characters.";
    FieldTooManyQuestions => "No máximo 4 perguntas.", "At most 4 questions.";
    FieldNotConnected => "Conecte a instância ao Instagram primeiro.", "Connect the instance to Instagram first.";
    FieldTapTitle => "Cada botão ou opção precisa de um texto de até 20 caracteres.", "Each button or option needs a text of up to 20 characters.";
    FieldButtonUrl => "Informe um link completo, começando com https://.", "Enter a full link, starting with https://.";
    FieldFollowUpMissing => "Escolha a automação de continuação.", "Choose the follow-up automation.";
    FieldFollowUpUnknown => "A continuação escolhida não é uma automação de DM desta instância.", "The chosen follow-up is not a DM automation of this instance.";
    FieldTooManyButtons => "No máximo 3 botões.", "At most 3 buttons.";
    FieldTooManyQuickReplies => "No máximo 13 respostas rápidas.", "At most 13 quick replies.";
    FieldNeedsDirectReply => "Botões e respostas rápidas vão numa DM: escreva a resposta por DM.", "Buttons and quick replies go in a DM: write the DM reply.";
    FieldTooLongForButtons => "Com botões, o Instagram aceita até 640 caracteres.", "With buttons, Instagram accepts up to 640 characters.";
    DmFormatLabel => "Formato da DM", "DM format";
    DmFormatText => "Texto (com botões opcionais)", "Text (with optional buttons)";
    DmFormatCards => "Cartões (carrossel)", "Cards (carousel)";
    DmFormatMedia => "Arquivo (imagem, vídeo, áudio ou PDF)", "File (image, video, audio or PDF)";
    DmFormatHint => "O Instagram envia cada formato como uma mensagem; cartões e arquivos vão sem texto. Respostas rápidas cabem em todos.", "Instagram sends each format as one message; cards and files carry no text. Quick replies fit all of them.";
    CardsLabel => "Cartões (até 10)", "Cards (up to 10)";
    CardsHint => "Cada cartão: título e subtítulo de até 80 caracteres, imagem por link e até 3 botões. A pessoa desliza para ver os próximos.", "Each card: a title and a subtitle of up to 80 characters, an image by link and up to 3 buttons. The person swipes to see the next ones.";
    CardNumber => "Cartão", "Card";
    CardTitle => "Título do cartão", "Card title";
    CardSubtitle => "Subtítulo (opcional)", "Subtitle (optional)";
    CardImage => "Link da imagem (opcional)", "Image link (optional)";
    AddCard => "Adicionar cartão", "Add a card";
    MediaKindLabel => "Tipo de arquivo", "File type";
    MediaImage => "Imagem (PNG, JPEG, GIF; até 8 MB)", "Image (PNG, JPEG, GIF; up to 8 MB)";
    MediaVideo => "Vídeo (MP4, MOV, WEBM; até 25 MB)", "Video (MP4, MOV, WEBM; up to 25 MB)";
    MediaAudio => "Áudio (AAC, M4A, WAV; até 25 MB)", "Audio (AAC, M4A, WAV; up to 25 MB)";
    MediaFile => "Documento PDF (até 25 MB)", "PDF document (up to 25 MB)";
    MediaUrlLabel => "Link do arquivo", "File link";
    MediaUrlHint => "Um link público: o Instagram baixa o arquivo ao enviar.", "A public link: Instagram downloads the file when sending.";
    PreviewTitle => "Prévia no Instagram", "Preview on Instagram";
    PreviewHint => "Como a pessoa verá a conversa. Botões aparecem no app do Instagram, não no site.", "How the person will see the conversation. Buttons show in the Instagram app, not on the website.";
    PreviewEmpty => "Escreva a resposta para ver a prévia.", "Write the reply to see the preview.";
    PreviewTheirComment => "Comentário da pessoa", "Their comment";
    PreviewTheirMessage => "Mensagem da pessoa", "Their message";
    PreviewSample => "cliente", "customer";
    CardsShort => "Cartões", "Cards";
    FileShort => "Arquivo", "File";
    FieldCardTitle => "Cada cartão precisa de um título de até 80 caracteres.", "Each card needs a title of up to 80 characters.";
    FieldCardSubtitle => "O subtítulo tem até 80 caracteres.", "The subtitle has up to 80 characters.";
    FieldCardImageUrl => "Informe o link completo da imagem, começando com https://.", "Enter the image's full link, starting with https://.";
    FieldTooManyCards => "No máximo 10 cartões.", "At most 10 cards.";
    FieldCardsRequired => "Preencha ao menos um cartão.", "Fill in at least one card.";
    FieldMediaUrl => "Informe o link completo do arquivo, começando com https://.", "Enter the file's full link, starting with https://.";
    FieldNotWithFormat => "Cartões e arquivos vão sem texto nem botões de DM: apague-os ou escolha o formato Texto.", "Cards and files carry no DM text or buttons: clear them or choose the Text format.";
    FieldPrivateReplyTextOnly => "A resposta privada a um comentário é só texto (com botões): o Instagram não garante cartões nem arquivos nela.", "A private reply to a comment is text only (with buttons): Instagram does not guarantee cards or files in it.";
    FieldFollowUpDmOnly => "Uma continuação responde a um toque, que chega como DM: escolha o tipo Mensagem direta.", "A follow-up answers a tap, which arrives as a DM: choose the Direct message type.";
    FieldMentionNeedsAll => "Uma menção não tem texto: use o gatilho \"Todos\".", "A mention has no text: use the \"All\" trigger.";
    FieldAllNeedsLimit => "Com o gatilho \"Todos\", escolha uma vez só ou a cada N horas.", "With the \"All\" trigger, choose only once or every N hours.";
    FilterInstance => "Instância", "Instance";
    FilterAll => "Todas", "All";
    FilterType => "Tipo", "Type";
    FilterPeriod => "Período", "Period";
    PeriodToday => "Hoje", "Today";
    PeriodWeek => "Últimos 7 dias", "Last 7 days";
    PeriodMonth => "Últimos 30 dias", "Last 30 days";
    PeriodCustom => "Personalizado", "Custom";
    PeriodAll => "Tudo", "Everything";
    FilterFrom => "De", "From";
    FilterTo => "Até", "To";
    FilterStatus => "Status", "Status";
    FilterUsername => "@ do usuário", "User's @";
    FilterOwner => "Dono", "Owner";
    ClearFilters => "Limpar filtros", "Clear filters";
    ExportCsv => "Exportar CSV", "Export CSV";
    ReportsNone => "Nenhuma interação neste filtro.", "No interactions for this filter.";
    ColumnDateTime => "Data e hora", "Date and time";
    ColumnType => "Tipo", "Type";
    ColumnUser => "Usuário", "User";
    ColumnText => "Texto", "Text";
    ColumnReply => "Resposta", "Reply";
    ColumnIds => "Comentário / mídia", "Comment / media";
    StatusSent => "Enviada", "Sent";
    StatusFailed => "Falhou", "Failed";
    StatusPending => "Pendente", "Pending";
    StatusSkipped => "Ignorada", "Skipped";
    OlderPage => "Mais antigas →", "Older →";
    NewerPage => "← Mais recentes", "← Newer";
    NewestPage => "Início", "Newest";
    PagerLabel => "Páginas do relatório", "Report pages";
    Showing => "Mostrando", "Showing";
    ShowingOf => "de", "of";
    MoreThan => "mais de", "more than";
    CountCapped => "A busca por texto ou @ conta até 1.000 interações; com mais, o gráfico não é mostrado: restrinja o período ou a busca.", "A text or @ search counts up to 1,000 interactions; beyond that no chart is shown: narrow the period or the search.";
    FilterAutomation => "Automação", "Automation";
    FilterAutomationPickInstance => "Escolha uma instância ou um dono para filtrar por automação.", "Choose an instance or an owner to filter by automation.";
    FilterSearch => "Buscar texto", "Search text";
    FilterSearchHint => "No @, no texto recebido ou na resposta.", "In the @, the received text or the reply.";
    ChartAxisDays => "Dia", "Day";
    ChartAxisCount => "Interações", "Interactions";
    ChartZone => "fuso", "time zone";
    OpenOnInstagram => "Ver no Instagram", "View on Instagram";
    TotalsLabel => "Totais por status", "Totals by status";
    ChartTitle => "Interações por dia", "Interactions per day";
    ChartEmpty => "Sem dados no período.", "No data in this period.";
    ReasonNoMatch => "nenhuma automação correspondeu", "no automation matched";
    ReasonDailyCap => "limite diário atingido", "daily limit reached";
    ReasonPerPerson => "já respondida a esta pessoa (limite por pessoa)", "already answered this person (limit per person)";
    ReasonFollowUpUnavailable => "a continuação deste botão foi excluída ou desativada", "this button's follow-up was deleted or turned off";
    ReasonLiveNoPublic => "comentário em live: o Instagram não aceita resposta pública", "live video comment: Instagram takes no public reply";
    ReasonLoopGuard => "respostas demais à mesma pessoa nesta hora (proteção contra loop)", "too many replies to the same person this hour (loop guard)";
    ReasonNotConnected => "instância não conectada", "instance not connected";
    HelpTitle => "Ajuda", "Help";
    HelpWhatToDo => "O que fazer?", "What to do?";
    HelpRequirementsTitle => "Para conectar uma conta do Instagram", "To connect an Instagram account";
    HelpRequirementProfessional => "A conta precisa ser profissional (Empresa ou Criador de conteúdo): no app do Instagram, Configurações › Tipo de conta e ferramentas › Mudar para conta profissional.", "The account must be professional (Business or Creator): in the Instagram app, Settings › Account type and tools › Switch to professional account.";
    HelpRequirementPermissions => "Na tela do Instagram, permita tudo o que pedimos: o perfil, as mensagens e os comentários. Sem isso as automações não respondem.", "On Instagram's screen, allow everything we ask for: the profile, the messages and the comments. Without them the automations cannot reply.";
    HelpRequirementMessages => "Deixe ligado \"Permitir acesso às mensagens\": Configurações › Mensagens e respostas ao story › Ferramentas conectadas.", "Keep \"Allow access to messages\" on: Settings › Messages and story replies › Connected tools.";
    HelpRequirementOneTenant => "Cada conta do Instagram fica em uma única conta do Insta-Clerky; a versão gratuita conecta uma instância.", "Each Instagram account belongs to one Insta-Clerky account; the free plan connects one instance.";
    HelpCardsTitle => "O que o cartão da instância diz, e o que fazer", "What the instance card says, and what to do";
    HelpRepliesTitle => "Por que uma resposta não saiu", "Why a reply did not go out";
    HelpFixDenied => "Clique em Reconectar e, na tela do Instagram, toque em Permitir.", "Click Reconnect and, on Instagram's screen, tap Allow.";
    HelpFixRetry => "Clique em Reconectar e termine a autorização em até 10 minutos, sem voltar nem recarregar a página do Instagram.", "Click Reconnect and finish the authorisation within 10 minutes, without going back or reloading Instagram's page.";
    HelpFixAccountTaken => "Peça a quem conectou a conta para desconectá-la, ou entre com o usuário que a conectou.", "Ask whoever connected the account to disconnect it, or sign in as that user.";
    HelpFixPermissions => "Clique em Reconectar e deixe marcadas todas as permissões pedidas.", "Click Reconnect and keep every requested permission ticked.";
    HelpFixMetaUnavailable => "O Instagram está instável: espere alguns minutos e clique em Reconectar.", "Instagram is unstable: wait a few minutes and click Reconnect.";
    HelpFixMetaRefused => "Confira se a conta é profissional e se não há um aviso pendente no app do Instagram; depois, Reconectar.", "Check that the account is professional and has no pending notice in the Instagram app; then Reconnect.";
    HelpFixTokenInvalid => "A senha mudou, o acesso foi removido ou o token venceu: clique em Reconectar. As automações voltam a responder na hora.", "The password changed, access was removed or the token expired: click Reconnect. The automations reply again at once.";
    HelpFixOutsideWindow => "O Instagram só deixa a conta escrever até 24 horas depois da última mensagem da pessoa. Quando ela escrever de novo, a automação responde.", "Instagram lets the account write only up to 24 hours after the person's last message. When they write again, the automation replies.";
    HelpFixMessagingDisabled => "Ligue \"Permitir acesso às mensagens\" no app do Instagram (Ferramentas conectadas).", "Turn on \"Allow access to messages\" in the Instagram app (Connected tools).";
    HelpFixPrivateReplyUsed => "Um comentário aceita uma só resposta privada, em até 7 dias. Nada a fazer: a pessoa já recebeu a DM.", "A comment takes a single private reply, within 7 days. Nothing to do: the person already got the DM.";
    DemoLabel => "Modo demonstração", "Demo mode";
    DemoText => "O Instagram aqui é o sandbox local: nada chega ao Instagram de verdade. Conecte uma conta de teste e aja como seguidor para ver as automações responderem.", "Instagram here is the local sandbox: nothing reaches the real Instagram. Connect a test account and act as a follower to see the automations reply.";
    DemoFollower => "Agir como seguidor", "Act as a follower";
    DemoAccounts => "Contas de teste", "Test accounts";
    DemoMail => "E-mails enviados", "Sent e-mail";
    HelpLink => "Ajuda", "Help";
    AuditConnected => "conectou a instância", "connected the instance";
    AuditConnectionFailed => "conexão falhou", "connection failed";
    AuditDisconnected => "desconectou a instância", "disconnected the instance";
    AuditDeleted => "excluiu a instância", "deleted the instance";
    AuditRenamed => "renomeou a instância", "renamed the instance";
    AuditDailyCapSet => "mudou o limite diário", "changed the daily limit";
    AuditIceBreakersSet => "salvou as perguntas frequentes", "saved the frequent questions";
    AuditTokenRefreshed => "renovou o token", "renewed the token";
    AuditTokenRefreshFailed => "não conseguiu renovar o token", "could not renew the token";
    AuditAutomationCreated => "criou a automação", "created the automation";
    AuditAutomationUpdated => "editou a automação", "edited the automation";
    AuditAutomationActivated => "ativou a automação", "turned the automation on";
    AuditAutomationDeactivated => "desativou a automação", "turned the automation off";
    AuditAutomationDeleted => "excluiu a automação", "deleted the automation";
    AuditApiKeyCreated => "criou uma chave de API", "created an API key";
    AuditApiKeyRevoked => "revogou uma chave de API", "revoked an API key";
    AuditDeadLetterRunAgain => "executou de novo um item com falha", "ran a failed item again";
    AuditDeadLetterFailedAgain => "executou de novo um item com falha, que falhou outra vez", "ran a failed item again, which failed again";
    AuditByAdmin => "admin", "admin";
    AuditPaused => "pausou as automações", "paused the automations";
    AuditResumed => "retomou as automações", "resumed the automations";
    ReasonOutsideWindow => "fora da janela de 24 horas: a pessoa não escreve há mais de um dia", "outside the 24-hour window: the person has not written for over a day";
    ReasonPrivateReplyUsed => "já respondido: o Instagram aceita uma resposta privada por comentário, em até 7 dias", "already answered: Instagram takes one private reply per comment, within 7 days";
    ReplyTokenInvalid => "token expirado ou revogado: reconecte a instância", "token expired or revoked: reconnect the instance";
    ReasonMetaRateLimited => "limite de envios do Instagram atingido; tentamos de novo mais tarde", "Instagram's sending limit reached; we try again later";
    ReasonRecipientUnavailable => "a pessoa não pode receber mensagens agora (bloqueou ou desativou a conta)", "the person cannot receive messages now (blocked or deactivated)";
    ReasonRecipientUnknown => "pessoa não encontrada no Instagram", "person not found on Instagram";
    ReasonBlockedByUser => "a pessoa bloqueou a conta", "the person blocked the account";
    ReasonMessagingDisabled => "a conta desligou \"Permitir acesso às mensagens\" no Instagram", "the account turned off \"Allow access to messages\" on Instagram";
    ReasonAttachmentFailed => "o Instagram não conseguiu baixar o arquivo, ou ele não é do tipo escolhido", "Instagram could not download the file, or it is not of the chosen kind";
    ReasonObjectMissing => "o comentário ou a publicação não existe mais", "the comment or post no longer exists";
    ReasonPolicyBlock => "conta bloqueada temporariamente pelo Instagram por violação de regras", "account temporarily blocked by Instagram for a policy violation";
    ReasonPermissionDenied => "permissão negada pelo Instagram: reconecte com as permissões pedidas", "permission denied by Instagram: reconnect with the requested permissions";
    ReasonInvalidMessage => "o Instagram recusou a mensagem (formato inválido)", "Instagram refused the message (invalid format)";
    ReasonMessageDeleted => "a mensagem foi apagada", "the message was deleted";
    ReplyMetaUnavailable => "o Instagram não respondeu; tentamos de novo", "Instagram did not answer; we try again";
    ReplyMetaRefused => "o Instagram recusou o envio", "Instagram refused the send";
    ReasonRetriesRanOut => "o Instagram não respondeu em nenhuma das tentativas", "Instagram did not answer on any attempt";
    ReasonStorageUnavailable => "banco de dados indisponível; tentamos de novo", "database unavailable; we try again";
    ReasonReplyMissing => "a resposta foi guardada sem texto; edite a automação e tente de novo", "the reply was stored without its text; edit the automation and try again";
    AdminTitle => "Administração", "Administration";
    AdminUsers => "Usuários", "Users";
    ColumnEmail => "E-mail", "Email";
    ColumnName => "Nome", "Name";
    ColumnRole => "Papel", "Role";
    ColumnPremium => "Premium", "Premium";
    ColumnCreated => "Criado em", "Created";
    RoleAdmin => "Administrador", "Administrator";
    RoleUser => "Usuário", "User";
    Yes => "Sim", "Yes";
    No => "Não", "No";
    NotFoundTitle => "Página não encontrada", "Page not found";
    NotFoundText => "Este endereço não existe ou foi removido.", "This address does not exist or was removed.";
    BackHome => "Voltar para o início", "Back to the start";
    NewInstance => "Nova instância do Instagram", "New Instagram instance";
    InstanceNameLabel => "Nome da instância", "Instance name";
    InstanceNameHint => "Por exemplo: Loja Centro. Em seguida você autoriza a conta no Instagram.", "For example: Downtown Store. Then you authorise the account on Instagram.";
    Connect => "Conectar", "Connect";
    Reconnect => "Reconectar", "Reconnect";
    TokenExpiresSoon => "expira em menos de 7 dias", "expires in under 7 days";
    LastEvent => "Último evento", "Last event";
    NoEventsYet => "Nenhum evento recebido ainda", "No events received yet";
    ConnectedBanner => "Instância conectada com sucesso.", "Instance connected.";
    ReasonDenied => "A autorização foi cancelada no Instagram. Tente conectar de novo quando quiser.", "Authorisation was cancelled on Instagram. Connect again whenever you like.";
    ReasonConnectTimeout => "A conexão não foi concluída: ninguém voltou do Instagram em 10 minutos. Tente conectar de novo.", "The connection was not finished: nobody came back from Instagram within 10 minutes. Try connecting again.";
    ReasonStateExpired => "O link de autorização expirou (10 minutos). Tente conectar de novo.", "The authorisation link expired (10 minutes). Try connecting again.";
    ReasonStateUsed => "Este retorno do Instagram já foi usado. Tente conectar de novo.", "This return from Instagram was already used. Try connecting again.";
    ReasonStateInvalid => "Não foi possível verificar o retorno do Instagram. Tente conectar de novo.", "The return from Instagram could not be verified. Try connecting again.";
    ReasonAccountTaken => "Esta conta do Instagram já está conectada por outro usuário.", "This Instagram account is already connected by another user.";
    ReasonMetaUnavailable => "O Instagram não respondeu. Tente de novo em alguns minutos.", "Instagram did not answer. Try again in a few minutes.";
    ReasonMetaRefused => "O Instagram recusou a conexão. Tente conectar de novo.", "Instagram refused the connection. Try connecting again.";
    ReasonMissingPermissions => "Faltaram permissões. Conecte de novo e permita todas as solicitadas.", "Permissions were missing. Connect again and allow all of them.";
    ReasonInternal => "Algo deu errado do nosso lado. Tente de novo.", "Something went wrong on our side. Try again.";
    ReasonTokenInvalid => "O token do Instagram deixou de valer. Reconecte a instância.", "The Instagram token stopped working. Reconnect the instance.";
    Disconnect => "Desconectar", "Disconnect";
    Rename => "Renomear", "Rename";
    Save => "Salvar", "Save";
    DailyCap => "Limite diário de respostas automáticas", "Daily limit of automated replies";
    DailyCapHint => "Respostas além deste número no dia (UTC) são registradas como ignoradas.", "Replies beyond this number in a day (UTC) are recorded as skipped.";
    FieldOutOfRange => "Use um número inteiro entre 1 e 100000.", "Use a whole number between 1 and 100000.";
    FieldInvalidDate => "Use uma data real entre 01/01/2000 e 31/12/2100.", "Use a real date between 2000-01-01 and 2100-12-31.";
    FieldDateOrder => "A data final vem antes da inicial.", "The end date comes before the start date.";
    FieldSearchTooShort => "Digite pelo menos 3 caracteres para buscar.", "Type at least 3 characters to search.";
    FieldControlCharacters => "Remova os caracteres de controle (como o byte nulo) do texto.", "Remove the control characters (such as the NUL byte) from the text.";
    Delete => "Excluir", "Delete";
    DeleteConfirmText => "Excluir esta instância apaga as automações dela. Os relatórios das interações continuam disponíveis.", "Deleting this instance deletes its automations. The reports of its interactions are kept.";
    ConfirmDelete => "Confirmar exclusão", "Confirm deletion";
    Webhook => "Webhook", "Webhook";
    WebhookUrl => "URL do webhook", "Webhook URL";
    VerifyToken => "Token de verificação", "Verify token";
    Copy => "Copiar", "Copy";
    Copied => "Copiado!", "Copied!";
    VerifyTokenAdminsOnly => "O token de verificação do painel da Meta fica com os administradores.", "The Meta dashboard's verify token is kept by the administrators.";
    AdminInstances => "Instâncias de todos os usuários", "Every user's instances";
    Search => "Buscar", "Search";
    SearchHint => "Nome, instância ou @username", "Name, instance or @username";
    AllStatuses => "Todos os status", "All statuses";
    Filter => "Filtrar", "Filter";
    ColumnOwner => "Dono", "Owner";
    ColumnInstance => "Instância", "Instance";
    ColumnStatus => "Status", "Status";
    ColumnExpiry => "Token expira", "Token expires";
    ColumnActions => "Ações", "Actions";
    RefreshToken => "Renovar token", "Refresh token";
    NoInstancesFound => "Nenhuma instância encontrada.", "No instances found.";
    AuditLog => "Registro de auditoria", "Audit log";
    ColumnWhen => "Quando", "When";
    ColumnWho => "Quem", "Who";
    ColumnAction => "Ação", "Action";
    ColumnTarget => "Alvo", "Target";
    ColumnDetails => "Detalhes", "Details";
    SystemActor => "Sistema", "System";
    FieldQuota => "Seu plano chegou ao limite de instâncias. Fale com o suporte sobre o plano premium.", "Your plan reached its instance limit. Talk to support about the premium plan.";
    DeadLetters => "Falhas de processamento", "Processing failures";
    DeadLettersHint => "Eventos recusados ou que não puderam ser gravados, entregas cujo processamento não terminou e respostas que esgotaram as tentativas. Nada é descartado em silêncio: depois de corrigir a causa, execute de novo.", "Events refused or that could not be stored, deliveries whose processing never finished and replies that ran out of retries. Nothing is dropped silently: once the cause is fixed, run it again.";
    NoDeadLetters => "Nenhuma falha registrada.", "No failures recorded.";
    ColumnWhat => "O quê", "What";
    ColumnWhy => "Por quê", "Why";
    ColumnTimes => "Vezes", "Times";
    FirstFailure => "Primeira falha", "First failure";
    RunAgain => "Executar de novo", "Run again";
    ResolvedAt => "Resolvido", "Resolved";
    NotRetryable => "Não se repete", "Not repeatable";
    KindEvent => "Evento", "Event";
    KindDelivery => "Entrega", "Delivery";
    KindReply => "Resposta", "Reply";
    WhyIdTooLong => "Identificador longo demais para ser um id do Instagram", "Identifier too long to be an Instagram id";
    WhyIdInvalid => "Identificador com caracteres de controle", "Identifier with control characters";
    WhyTextTooLong => "Texto longo demais para ser uma mensagem", "Text too long to be a message";
    WhyUsernameTooLong => "Nome de usuário longo demais", "Username too long";
    WhyNoAccountId => "Entrada sem id de conta utilizável", "Entry without a usable account id";
    WhyStorageError => "Não pôde ser gravado", "Could not be stored";
    WhyProcessingFailed => "O processamento não terminou depois de várias tentativas", "Processing did not finish after several attempts";
    WhyNotAPayload => "O corpo não é um webhook do Instagram", "The body is not an Instagram webhook";
    WhyRetriesRanOut => "As tentativas de envio se esgotaram", "Sending attempts ran out";
    FieldFailedAgain => "Falhou de novo: o motivo atualizado está na lista.", "It failed again: the updated reason is in the list.";
    FieldNotRetryable => "Esta falha não pode ser executada de novo.", "This failure cannot be run again.";
}

/// The label of a dead letter's kind and reason.
pub fn dead_letter_labels(kind: DeadLetterKind, reason: DeadLetterReason) -> (Key, Key) {
    let kind = match kind {
        DeadLetterKind::Event => Key::KindEvent,
        DeadLetterKind::Delivery => Key::KindDelivery,
        DeadLetterKind::Reply => Key::KindReply,
    };
    let reason = match reason {
        DeadLetterReason::IdTooLong => Key::WhyIdTooLong,
        DeadLetterReason::IdInvalid => Key::WhyIdInvalid,
        DeadLetterReason::TextTooLong => Key::WhyTextTooLong,
        DeadLetterReason::UsernameTooLong => Key::WhyUsernameTooLong,
        DeadLetterReason::NoAccountId => Key::WhyNoAccountId,
        DeadLetterReason::StorageError => Key::WhyStorageError,
        DeadLetterReason::ProcessingFailed => Key::WhyProcessingFailed,
        DeadLetterReason::NotAWebhookPayload => Key::WhyNotAPayload,
        DeadLetterReason::RetriesRanOut => Key::WhyRetriesRanOut,
    };
    (kind, reason)
}

/// The title and text (with `{instance}` and `{detail}` to fill in) of a notification.
pub fn notice(kind: crate::domain::notification::NotificationKind) -> (Key, Key) {
    use crate::domain::notification::NotificationKind as K;
    match kind {
        K::FirstConnection => (Key::NoticeFirstConnectionTitle, Key::NoticeFirstConnectionText),
        K::TokenExpiring => (Key::NoticeTokenExpiringTitle, Key::NoticeTokenExpiringText),
        K::ConnectionLost => (Key::NoticeConnectionLostTitle, Key::NoticeConnectionLostText),
        K::DailyCapReached => (Key::NoticeDailyCapTitle, Key::NoticeDailyCapText),
        K::AutomationFailing => (Key::NoticeAutomationFailingTitle, Key::NoticeAutomationFailingText),
    }
}

/// A notification's title and text in `locale`.
pub fn notice_text(locale: Locale, notification: &crate::domain::notification::Notification) -> (&'static str, String) {
    let (title, text) = notice(notification.kind);
    let text = locale
        .t(text)
        .replace("{instance}", &notification.instance_name)
        .replace("{detail}", notification.detail.as_deref().unwrap_or(""));
    (locale.t(title), text)
}

/// The message for an instance's error reason or a failed connection.
pub fn reason_message(reason: ConnectionFailure) -> Key {
    match reason {
        ConnectionFailure::Denied => Key::ReasonDenied,
        ConnectionFailure::StateExpired => Key::ReasonStateExpired,
        ConnectionFailure::ConnectTimeout => Key::ReasonConnectTimeout,
        ConnectionFailure::StateUsed => Key::ReasonStateUsed,
        ConnectionFailure::StateInvalid => Key::ReasonStateInvalid,
        ConnectionFailure::AccountTaken => Key::ReasonAccountTaken,
        ConnectionFailure::MetaUnavailable => Key::ReasonMetaUnavailable,
        ConnectionFailure::MissingPermissions => Key::ReasonMissingPermissions,
        ConnectionFailure::MetaRefused => Key::ReasonMetaRefused,
        ConnectionFailure::TokenInvalid => Key::ReasonTokenInvalid,
        ConnectionFailure::Internal => Key::ReasonInternal,
    }
}

/// What an audit entry's action says (`admin.` in front: an admin did it), `None` for one this
/// version does not know.
pub fn audit_action(action: AuditAction) -> Key {
    match action {
        AuditAction::Connected => Key::AuditConnected,
        AuditAction::ConnectionFailed => Key::AuditConnectionFailed,
        AuditAction::Disconnected => Key::AuditDisconnected,
        AuditAction::Deleted => Key::AuditDeleted,
        AuditAction::Renamed => Key::AuditRenamed,
        AuditAction::DailyCapSet => Key::AuditDailyCapSet,
        AuditAction::IceBreakersSet => Key::AuditIceBreakersSet,
        AuditAction::Paused => Key::AuditPaused,
        AuditAction::Resumed => Key::AuditResumed,
        AuditAction::TokenRefreshed => Key::AuditTokenRefreshed,
        AuditAction::TokenRefreshFailed => Key::AuditTokenRefreshFailed,
        AuditAction::AutomationCreated => Key::AuditAutomationCreated,
        AuditAction::AutomationUpdated => Key::AuditAutomationUpdated,
        AuditAction::AutomationActivated => Key::AuditAutomationActivated,
        AuditAction::AutomationDeactivated => Key::AuditAutomationDeactivated,
        AuditAction::AutomationDeleted => Key::AuditAutomationDeleted,
        AuditAction::ApiKeyCreated => Key::AuditApiKeyCreated,
        AuditAction::ApiKeyRevoked => Key::AuditApiKeyRevoked,
        AuditAction::DeadLetterRunAgain => Key::AuditDeadLetterRunAgain,
        AuditAction::DeadLetterFailedAgain => Key::AuditDeadLetterFailedAgain,
    }
}

/// The message for a field error code sent by the server.
pub fn field_message(code: FieldCode) -> Key {
    match code {
        FieldCode::Required => Key::FieldRequired,
        FieldCode::InvalidEmail => Key::FieldInvalidEmail,
        FieldCode::TooShort => Key::FieldTooShort,
        FieldCode::TooLong => Key::FieldTooLong,
        FieldCode::OutOfRange => Key::FieldOutOfRange,
        FieldCode::KeywordTooLong => Key::FieldKeywordTooLong,
        FieldCode::KeywordInvalid => Key::FieldKeywordInvalid,
        FieldCode::TooMany => Key::FieldTooMany,
        FieldCode::TooLongBytes => Key::FieldTooLongBytes,
        FieldCode::CommentOnly => Key::FieldCommentOnly,
        FieldCode::TooManyVariants => Key::FieldTooManyVariants,
        FieldCode::VariantTooLong => Key::FieldVariantTooLong,
        FieldCode::OneReplyRequired => Key::FieldOneReplyRequired,
        FieldCode::HoursRange => Key::FieldHoursRange,
        FieldCode::AllNeedsLimit => Key::FieldAllNeedsLimit,
        FieldCode::MentionNeedsAll => Key::FieldMentionNeedsAll,
        FieldCode::TapTitle => Key::FieldTapTitle,
        FieldCode::ButtonUrl => Key::FieldButtonUrl,
        FieldCode::FollowUpMissing => Key::FieldFollowUpMissing,
        FieldCode::FollowUpUnknown => Key::FieldFollowUpUnknown,
        FieldCode::TooManyButtons => Key::FieldTooManyButtons,
        FieldCode::TooManyQuickReplies => Key::FieldTooManyQuickReplies,
        FieldCode::NeedsDirectReply => Key::FieldNeedsDirectReply,
        FieldCode::TooLongForButtons => Key::FieldTooLongForButtons,
        FieldCode::FollowUpDmOnly => Key::FieldFollowUpDmOnly,
        FieldCode::CardTitle => Key::FieldCardTitle,
        FieldCode::CardSubtitle => Key::FieldCardSubtitle,
        FieldCode::CardImageUrl => Key::FieldCardImageUrl,
        FieldCode::TooManyCards => Key::FieldTooManyCards,
        FieldCode::CardsRequired => Key::FieldCardsRequired,
        FieldCode::MediaUrl => Key::FieldMediaUrl,
        FieldCode::NotWithFormat => Key::FieldNotWithFormat,
        FieldCode::PrivateReplyTextOnly => Key::FieldPrivateReplyTextOnly,
        FieldCode::QuestionLength => Key::FieldQuestionLength,
        FieldCode::TooManyQuestions => Key::FieldTooManyQuestions,
        FieldCode::NotConnected => Key::FieldNotConnected,
        FieldCode::Taken => Key::FieldTaken,
        FieldCode::ConfirmInvalid => Key::ConfirmInvalid,
        FieldCode::Quota => Key::FieldQuota,
        FieldCode::FailedAgain => Key::FieldFailedAgain,
        FieldCode::NotRetryable => Key::FieldNotRetryable,
        FieldCode::RefreshCooldown => Key::FieldRefreshCooldown,
        FieldCode::WindowClosed => Key::FieldWindowClosed,
        FieldCode::InvalidDate => Key::FieldInvalidDate,
        FieldCode::DateOrder => Key::FieldDateOrder,
        FieldCode::SearchTooShort => Key::FieldSearchTooShort,
        FieldCode::ControlCharacters => Key::FieldControlCharacters,
        FieldCode::TooManyKeys => Key::FieldTooManyKeys,
        FieldCode::LinksOnly => Key::FieldLinksOnly,
        FieldCode::CommentHidden => Key::FieldCommentHidden,
        FieldCode::OwnComment => Key::FieldOwnComment,
        FieldCode::PrivateReplyExpired => Key::FieldPrivateReplyExpired,
        FieldCode::PrivateReplyUsed => Key::FieldPrivateReplyUsed,
        FieldCode::TryAgain => Key::FieldTryAgain,
        FieldCode::MetaRefused => Key::FieldMetaRefused,
        FieldCode::UrlInvalid => Key::FieldUrlInvalid,
        FieldCode::UrlHttps => Key::FieldUrlHttps,
        FieldCode::UrlPrivate => Key::FieldUrlPrivate,
        FieldCode::SecretLength => Key::FieldSecretLength,
        FieldCode::Invalid | FieldCode::InvalidJson | FieldCode::JsonContentType => Key::FieldInvalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_translated_and_not_blank() {
        for key in Key::ALL {
            for locale in [Locale::PtBr, Locale::En] {
                assert!(!key.text(locale).trim().is_empty(), "{key:?} in {locale:?}");
            }
        }
    }

    #[test]
    fn every_field_code_has_its_own_message_and_travels_by_its_name() {
        let generic = [FieldCode::Invalid, FieldCode::InvalidJson, FieldCode::JsonContentType];
        for code in FieldCode::ALL.iter().copied().filter(|c| !generic.contains(c)) {
            assert_ne!(field_message(code), Key::FieldInvalid, "{code:?} falls back to the generic message");
        }
        for code in FieldCode::ALL {
            let sent = serde_json::to_string(code).expect("serialise");
            assert_eq!(sent, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<FieldCode>(&sent).ok(), Some(*code));
        }
    }

    #[test]
    fn every_dead_letter_reason_has_its_own_label_and_is_read_back_by_its_name() {
        let labels: std::collections::HashSet<&str> = DeadLetterReason::ALL
            .iter()
            .map(|r| dead_letter_labels(DeadLetterKind::Event, *r).1.text(Locale::PtBr))
            .collect();
        assert_eq!(labels.len(), DeadLetterReason::ALL.len());
        for reason in DeadLetterReason::ALL {
            assert_eq!(DeadLetterReason::parse(reason.as_str()), Some(*reason));
        }
        let kinds: std::collections::HashSet<&str> = DeadLetterKind::ALL
            .iter()
            .map(|k| dead_letter_labels(*k, DeadLetterReason::StorageError).0.text(Locale::PtBr))
            .collect();
        assert_eq!(kinds.len(), DeadLetterKind::ALL.len());
    }

    #[test]
    fn the_cookie_picks_the_language_and_defaults_to_portuguese() {
        assert_eq!(Locale::from_cookie_header("a=1; ic_lang=en; b=2"), Locale::En);
        assert_eq!(Locale::PtBr.number(1_234_567), "1.234.567");
        assert_eq!(Locale::En.number(1_234_567), "1,234,567");
        assert_eq!(Locale::PtBr.number(999), "999");
        assert_eq!(Locale::PtBr.number(-1000), "-1.000");
        assert_eq!(Locale::from_cookie_header("ic_lang=pt-BR"), Locale::PtBr);
        assert_eq!(Locale::from_cookie_header("ic_lang=xx"), Locale::PtBr);
        assert_eq!(Locale::from_cookie_header(""), Locale::PtBr);
    }
}
