//! Publicity (宣传、先进事迹、评选): the article workflow, columns, outside channels and honours.
//! Each enumeration has a stable code (stored, in the API) and a Chinese label; parsing accepts either.

use crate::error::FieldError;

macro_rules! publicity_enum {
    ($(#[$m:meta])* $name:ident, $field:literal, { $($variant:ident = ($code:literal, $zh:literal, $en:literal)),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const FIELD: &'static str = $field;
            pub fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            pub fn zh(self) -> &'static str { match self { $($name::$variant => $zh),+ } }
            pub fn en(self) -> &'static str { match self { $($name::$variant => $en),+ } }
            pub fn label(self, lang: &str) -> &'static str { if lang == "en" { self.en() } else { self.zh() } }
            /// Accepts the code or the Chinese label.
            pub fn parse(raw: &str) -> Result<Self, FieldError> {
                let t = raw.trim();
                $(if t == $code || t == $zh { return Ok($name::$variant); })+
                if t.is_empty() {
                    return Err(FieldError::required($field));
                }
                let allowed: Vec<&str> = Self::ALL.iter().map(|v| v.zh()).collect();
                Err(FieldError::new($field, format!("{}只能是：{}", $field, allowed.join("、"))))
            }
        }
    };
}

publicity_enum!(
    /// 栏目
    Column, "栏目", {
    Deeds = ("deeds", "先进事迹", "Exemplary deeds"),
    Front = ("front", "战疫一线", "At the front"),
    News = ("news", "警务动态", "Police news"),
    Notice = ("notice", "通知公告", "Notices"),
});

publicity_enum!(
    /// 稿件状态: 草稿 → 待审 → 已发布 → 已撤回 (a withdrawn or returned article goes back to draft to be edited).
    ArticleStatus, "稿件状态", {
    Draft = ("draft", "草稿", "Draft"),
    Review = ("review", "待审", "In review"),
    Published = ("published", "已发布", "Published"),
    Withdrawn = ("withdrawn", "已撤回", "Withdrawn"),
});

publicity_enum!(
    /// 外部渠道
    Channel, "渠道", {
    Wechat = ("wechat", "微信公众号", "WeChat official account"),
    Douyin = ("douyin", "抖音", "Douyin"),
    Weibo = ("weibo", "微博", "Weibo"),
    Reprint = ("reprint", "媒体转载", "Reprints"),
});

publicity_enum!(
    /// 评选状态: 推荐 → 公示 → 授予 / 未授予
    HonourStatus, "评选状态", {
    Nominated = ("nominated", "推荐", "Nominated"),
    Notice = ("notice", "公示", "Public notice"),
    Awarded = ("awarded", "授予", "Awarded"),
    Declined = ("declined", "未授予", "Not awarded"),
});

/// A workflow step an editor or reviewer takes on an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// 提交审核 (editor)
    Submit,
    /// 退回修改 (reviewer)
    Return,
    /// 审核发布 (reviewer)
    Publish,
    /// 撤回 (reviewer)
    Withdraw,
    /// 重新编辑 a withdrawn article (editor)
    Reopen,
}

impl Step {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        Ok(match raw.trim() {
            "submit" => Step::Submit,
            "return" => Step::Return,
            "publish" => Step::Publish,
            "withdraw" => Step::Withdraw,
            "reopen" => Step::Reopen,
            _ => return Err(FieldError::new("操作", "操作只能是：submit、return、publish、withdraw、reopen")),
        })
    }

    pub fn zh(self) -> &'static str {
        match self {
            Step::Submit => "提交审核",
            Step::Return => "退回修改",
            Step::Publish => "审核发布",
            Step::Withdraw => "撤回",
            Step::Reopen => "重新编辑",
        }
    }

    /// The status after this step, or an error naming why the step is not allowed from `from`.
    pub fn next(self, from: ArticleStatus) -> Result<ArticleStatus, FieldError> {
        use ArticleStatus::*;
        let to = match (self, from) {
            (Step::Submit, Draft) => Review,
            (Step::Return, Review) => Draft,
            (Step::Publish, Review) => Published,
            (Step::Withdraw, Published) => Withdrawn,
            (Step::Reopen, Withdrawn) => Draft,
            _ => {
                return Err(FieldError::new("稿件状态", format!("稿件当前为“{}”，不能执行“{}”", from.zh(), self.zh())))
            }
        };
        Ok(to)
    }
}

impl HonourStatus {
    /// 推荐 → 公示 → 授予/未授予; 推荐 may also end in 未授予.
    pub fn can_move_to(self, to: HonourStatus) -> bool {
        use HonourStatus::*;
        matches!((self, to), (Nominated, Notice) | (Nominated, Declined) | (Notice, Awarded) | (Notice, Declined))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_moves_only_along_its_edges() {
        assert_eq!(Step::Submit.next(ArticleStatus::Draft), Ok(ArticleStatus::Review));
        assert_eq!(Step::Publish.next(ArticleStatus::Review), Ok(ArticleStatus::Published));
        assert_eq!(Step::Withdraw.next(ArticleStatus::Published), Ok(ArticleStatus::Withdrawn));
        let e = Step::Publish.next(ArticleStatus::Draft).unwrap_err();
        assert_eq!(e.message, "稿件当前为“草稿”，不能执行“审核发布”");
        assert!(HonourStatus::Nominated.can_move_to(HonourStatus::Notice));
        assert!(!HonourStatus::Nominated.can_move_to(HonourStatus::Awarded));
        assert_eq!(Column::parse("先进事迹"), Ok(Column::Deeds));
    }
}
