//! The figures a stand-in reports for a published post (views, likes, comments, shares...), so
//! that a reader of metrics (the worker's Analytics Collector) has plausible numbers to collect.
//!
//! No vendor documents figures for a post nobody saw, so these are the sandbox's own: each post
//! gets a reach from its id (a seed, so two posts differ and one post always reads the same), and
//! its figures grow with its age on the sandbox's clock, quickly in the first hours and slower
//! after (as the square root of the minutes since it was published), and stop growing after 30
//! days. The same post read twice at the same sandbox time gives the same figures; read later,
//! every figure is at least what it was.
//!
//! | figure | how |
//! |---|---|
//! | views (impressions) | `reach * sqrt(minutes since published)`, `reach` 20 to 99 from the id |
//! | likes | 2 % to 6 % of the views (the rate from the id) |
//! | comments, shares, reposts, quotes, bookmarks | likes / 9, / 14, / 7, / 30, / 11 |

use std::time::Duration;

/// Figures stop growing this long after the post.
const GROWTH: Duration = Duration::from_secs(30 * 24 * 3600);

/// What a post has gathered at some age.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Engagement {
    pub views: u64,
    pub likes: u64,
    pub comments: u64,
    pub shares: u64,
    /// X's retweets.
    pub reposts: u64,
    pub quotes: u64,
    pub bookmarks: u64,
}

impl Engagement {
    /// The figures of the post with id `id` (any text: it only seeds the figures) at `age`.
    pub fn of(id: &str, age: Duration) -> Engagement {
        let seed = seed(id);
        let reach = 20 + seed % 80;
        let like_rate = 2 + (seed / 80) % 5;
        let minutes = age.min(GROWTH).as_secs() / 60;
        let views = reach * minutes.isqrt();
        let likes = views * like_rate / 100;
        Engagement {
            views,
            likes,
            comments: likes / 9,
            shares: likes / 14,
            reposts: likes / 7,
            quotes: likes / 30,
            bookmarks: likes / 11,
        }
    }
}

/// FNV-1a of the id: stable across runs and platforms (unlike `std`'s hasher).
fn seed(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn a_new_post_has_nothing_and_figures_only_grow_until_thirty_days() {
        assert_eq!(Engagement::of("1", Duration::ZERO), Engagement::default());
        let mut last = Engagement::default();
        for hours in [1, 2, 5, 24, 24 * 7, 24 * 30, 24 * 31, 24 * 365] {
            let now = Engagement::of("1861000000000000001", HOUR * hours);
            for (a, b) in [
                (now.views, last.views),
                (now.likes, last.likes),
                (now.comments, last.comments),
                (now.shares, last.shares),
            ] {
                assert!(a >= b, "{hours} h: {now:?} after {last:?}");
            }
            last = now;
        }
        assert!(last.views > 1000 && last.likes > 10, "{last:?}");
        assert_eq!(
            Engagement::of("x", HOUR * 24 * 30),
            Engagement::of("x", HOUR * 24 * 400)
        );
    }

    #[test]
    fn the_same_post_reads_the_same_and_two_posts_differ() {
        let day = HOUR * 24;
        assert_eq!(Engagement::of("a_1", day), Engagement::of("a_1", day));
        assert_ne!(Engagement::of("a_1", day), Engagement::of("a_2", day));
        let e = Engagement::of("a_1", day);
        assert!(e.likes * 100 >= e.views * 2 && e.likes * 100 <= e.views * 6, "{e:?}");
    }
}
