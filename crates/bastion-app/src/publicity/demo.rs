//! Demo content for the publicity site: a handful of stories written for the fictional
//! 青岚县公安局 about its (generated, invented) officers, each with a generated cover, plausible
//! view counts, reads on outside channels, and two nominations.

use std::collections::HashMap;

use bastion_core::publicity::{ArticleStatus, Channel, Column};
use bastion_store::org::UnitId;
use bastion_store::publicity::{ArticleContent, ArticleId, NewChannelRead, NewHonour};
use bastion_store::Tx;

use crate::{App, AppError, AppResult};

struct Story {
    unit: &'static str,
    column: Column,
    title: &'static str,
    subtitle: &'static str,
    author: &'static str,
    /// Paragraphs; `{name}` is the featured officer, `{unit}` the unit.
    body: &'static [&'static str],
    /// Days after 2020-01-24 and the hour (Beijing) it was published.
    day: i64,
    hour: i64,
    views: i64,
    channels: &'static [(Channel, i64)],
}

const STORIES: &[Story] = &[
    Story {
        unit: "D07-1",
        column: Column::Deeds,
        title: "零下八度的卡点，他守了二十一个夜班",
        subtitle: "记交警一中队民警{name}",
        author: "政治处 宣传组",
        body: &[
            "凌晨三点的青岚高速收费站入口，气温降到零下八度。{unit}民警{name}把测温枪揣在怀里焐热，再一次走向排队的车辆：“您好，请配合测量体温，出示身份证件。”",
            "从1月24日卡点设立起，{name}主动申请值夜班。二十一个夜晚，他和战友登记过往车辆四千余台次、人员一万一千余人次，发现体温异常人员3名，全部按流程移交转运。",
            "“夜里车少，但一辆也不能漏。”这是{name}常挂在嘴边的话。妻子在县医院发热门诊上班，两人已经一个月没见面，只在交接班的间隙打一通视频电话。",
            "卡点临时党支部书记说：“他不是党员时就写了请战书，按了红手印；如今他已递交入党申请书。”",
        ],
        day: 9,
        hour: 9,
        views: 126_530,
        channels: &[(Channel::Wechat, 98_200), (Channel::Douyin, 61_400), (Channel::Reprint, 12_000)],
    },
    Story {
        unit: "S01",
        column: Column::Deeds,
        title: "社区里的“移动登记台”",
        subtitle: "城关派出所民警{name}走遍辖区十一个小区",
        author: "城关派出所",
        body: &[
            "每天早上七点，{unit}民警{name}的电动车后座上都绑着一只纸箱：登记表、体温计、消毒液和一摞写好的温馨提示。",
            "辖区十一个小区、两千三百多户，哪家有外地返乡人员、哪位独居老人需要代买药品，她都记在随身的笔记本上。摸底排查期间，她和社区干部一起敲开了一千六百多户的门。",
            "“群众看到警服就安心。”{name}说。一位八十岁的独居老人把她的电话写在门后，“有事就找这个姑娘”。",
        ],
        day: 14,
        hour: 10,
        views: 88_410,
        channels: &[(Channel::Wechat, 72_300), (Channel::Weibo, 18_900)],
    },
    Story {
        unit: "HQ",
        column: Column::Front,
        title: "指挥部专班的灯，二十四小时亮着",
        subtitle: "疫情防控指挥部工作专班侧记",
        author: "指挥中心",
        body: &[
            "疫情防控指挥部工作专班设在局机关三楼，十个工作组的调度信息在这里汇总。墙上的值班表写得满满当当，党委委员轮流坐镇。",
            "专班民警{name}负责每日战报。每晚十点，他把各卡点的登记数、发热人员处置、返岗人数核对一遍，再报县防控指挥部。“数字要一个一个对，错一个，决策就可能偏。”",
            "全局九百五十六名民辅警全员返岗，无一缺席。这个数字，也是专班一个电话一个电话核出来的。",
        ],
        day: 6,
        hour: 20,
        views: 64_880,
        channels: &[(Channel::Wechat, 40_100)],
    },
    Story {
        unit: "D08-1",
        column: Column::Front,
        title: "党员突击队的第一次集结",
        subtitle: "特警一中队{name}和他的队友们",
        author: "巡逻特警大队",
        body: &[
            "二月一日清晨，局党委为首批“战疫”党员突击队授旗。特警一中队队长{name}接过队旗，带领队员重温入党誓词。",
            "突击队作为应急机动力量，承担卡点疏导、医疗单位秩序维护和治安巡逻。成立第一周，他们出动巡逻一百四十余次，协助转运物资三十余车。",
            "“哪里最需要，我们就去哪里。”{name}说，队里最年轻的队员二十二岁，最年长的已经五十四岁。",
        ],
        day: 8,
        hour: 8,
        views: 52_370,
        channels: &[(Channel::Douyin, 33_600), (Channel::Reprint, 5_200)],
    },
    Story {
        unit: "D03",
        column: Column::News,
        title: "防护物资“一线优先”，警务保障室连夜分装",
        subtitle: "",
        author: "警务保障室",
        body: &[
            "为确保“没有一名民警无防护上岗”，警务保障室连夜将到货的口罩、护目镜、防护服和消毒液分装成卡点包，按各卡点在岗人数配送到位。",
            "保障室民警{name}建立了物资台账，每天核对库存和发放，提前三天预警短缺品种。",
        ],
        day: 4,
        hour: 16,
        views: 21_460,
        channels: &[],
    },
    Story {
        unit: "D02",
        column: Column::Notice,
        title: "关于开展“战疫先锋”推荐评选工作的通知",
        subtitle: "",
        author: "政治处",
        body: &[
            "为表彰在疫情防控工作中表现突出的集体和个人，局党委决定开展“战疫先锋”推荐评选工作。",
            "各单位请于2月20日前将推荐材料报政治处。评选结果将在本站公示，公示期五个工作日。",
        ],
        day: 20,
        hour: 9,
        views: 9_870,
        channels: &[],
    },
];

/// Two nominations: one in its public-notice period, one just filed.
/// (story, honour, nominating body, reason, public notice from/to as days from today)
type DemoHonour = (usize, &'static str, &'static str, &'static str, Option<(i64, i64)>);
const HONOURS: &[DemoHonour] = &[
    (
        0,
        "全国公安系统抗击新冠肺炎疫情先进个人",
        "青岚县公安局党委",
        "疫情期间连续值守入境卡点夜班二十一天，登记车辆四千余台次，发现并移交体温异常人员3名。",
        Some((-3, 4)),
    ),
    (
        1,
        "市级“最美战疫人”",
        "城关派出所党支部",
        "走访辖区十一个小区，完成一千六百余户摸底排查，帮扶独居老人二十余名。",
        None,
    ),
];

fn ms_of(day: i64, hour: i64) -> i64 {
    // 2020-01-24 00:00 Beijing = 2020-01-23T16:00:00Z
    1_579_795_200_000 + day * 86_400_000 + hour * 3_600_000
}

/// Write the demo stories inside the demo bureau's transaction. `units` maps unit codes to ids.
pub async fn seed_demo(app: &App, tx: &mut Tx, units: &HashMap<&str, UnitId>) -> AppResult<()> {
    let mut ids: Vec<(ArticleId, Vec<(bastion_store::org::PersonId, String)>)> = Vec::new();
    for (i, s) in STORIES.iter().enumerate() {
        let unit_id =
            units.get(s.unit).copied().ok_or_else(|| AppError::Internal(anyhow::anyhow!("no unit {}", s.unit)))?;
        let people = app.store.people_of_unit(tx, unit_id, 1).await?;
        let name = people.first().map(|p| p.1.clone()).unwrap_or_else(|| "一名民警".into());
        let unit_name = people.first().map(|p| p.2.clone()).unwrap_or_default();
        let fill = |t: &str| t.replace("{name}", &name).replace("{unit}", &unit_name);
        let body: String = s.body.iter().map(|p| format!("<p>{}</p>", fill(p))).collect();
        // A few hundred milliseconds of CPU, once, while the demo bureau is created.
        let cover =
            super::media::process(&super::media::generated_cover(i as u32), "cover.png").map_err(AppError::invalid)?;
        let cover_id = app.store.insert_image(tx, &cover, "demo").await?;
        let at = ms_of(s.day, s.hour);
        let content = ArticleContent {
            title: fill(s.title),
            subtitle: fill(s.subtitle),
            summary: super::html::summary_of(&body, 110),
            body: super::html::sanitize(&body),
            author: s.author.into(),
            source: format!("{}{}", crate::demo::BUREAU_NAME, s.author.split(' ').next().unwrap_or("")),
            column: s.column,
            cover_image_id: Some(cover_id),
            publish_at: at,
            people: people.iter().map(|p| p.0).collect(),
            units: if s.column == Column::Front { vec![unit_id] } else { vec![] },
        };
        let id = app.store.insert_article(tx, &content, unit_id, "editor").await?;
        app.store.seed_article_status(tx, id, ArticleStatus::Published, "commander", at).await?;
        app.store.seed_article_views(tx, id, s.views).await?;
        for (k, (channel, reads)) in s.channels.iter().enumerate() {
            let day = jiff::Timestamp::from_millisecond(at + (k as i64 + 1) * 86_400_000)
                .map(|t| t.to_zoned(bastion_core::time::beijing()).date().to_string())
                .unwrap_or_else(|_| "2020-02-01".into());
            app.store
                .insert_channel_read(
                    tx,
                    &NewChannelRead { article_id: id, channel: *channel, reads: *reads, day, note: String::new() },
                    "editor",
                )
                .await?;
        }
        ids.push((id, people.iter().map(|p| (p.0, format!("{}（{}）", p.1, p.2))).collect()));
    }
    for (story, honour, body, reason, notice) in HONOURS {
        let Some((article, people)) = ids.get(*story) else { continue };
        let person = people.first().map(|p| p.0);
        let nominee = people.first().map(|p| p.1.clone()).unwrap_or_default();
        let id = app
            .store
            .insert_honour(
                tx,
                &NewHonour {
                    honour: honour.to_string(),
                    nominating_body: body.to_string(),
                    person_id: person,
                    unit_id: None,
                    nominee,
                    reason: reason.to_string(),
                    evidence: "先进事迹材料、卡点登记台账".into(),
                    article_ids: vec![*article],
                },
                "editor",
            )
            .await?;
        if let Some((from, to)) = notice {
            let day = |d: i64| {
                let today = bastion_core::time::today();
                today.checked_add(jiff::Span::new().days(d)).unwrap_or(today).to_string()
            };
            let (start, end) = (day(*from), day(*to));
            app.store
                .set_honour_status(
                    tx,
                    id,
                    bastion_core::publicity::HonourStatus::Nominated,
                    bastion_core::publicity::HonourStatus::Notice,
                    Some((start.as_str(), end.as_str())),
                    "",
                )
                .await?;
        }
    }
    Ok(())
}
