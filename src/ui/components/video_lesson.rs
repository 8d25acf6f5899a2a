//! The Video lab's guided lesson: the six steps of a WebRTC session ticked live from this session, and the
//! failure drills with a button that sets each up and what it teaches.

use crate::engine::video::nat;
use crate::ui::webrtc::drills;
use crate::ui::webrtc::peers::VideoLab;
use crate::view_model::video::lesson::{self, Facts, DRILLS};
use leptos::prelude::*;
use std::rc::Rc;

/// The lesson panel.
#[component]
pub fn Lesson(lab: Rc<VideoLab>) -> impl IntoView {
    let view = lab.view;
    let options = lab.options;
    let version = lab.host.version;
    let steps = Memo::new(move |_| {
        version.track();
        let o = options.get();
        let mut facts = Facts {
            // The verdict of the settings now, once a viewer has started (step 6 invites changing them).
            verdict: view.viewer_started.get().then(|| nat::verdict(&o.master.network, &o.viewer.network, &o.servers)),
            ice_config: view.ice_config.get(),
            connection: view.viewer_state.get(),
            pair: view.pair.get(),
            first_frame_ms: view.first_frame_ms.get(),
            ..Facts::default()
        };
        let mark = view.log_mark.get();
        super::video_lab::lab().with_log(|entries| facts.read_log(&entries[mark.min(entries.len())..]));
        lesson::steps(&facts)
    });
    view! {
        <section class="video-lesson" aria-label="Guided lesson">
            <h2>"Lesson: a WebRTC session in six steps"</h2>
            <p class="chart-note">"Start the master and the viewer; each step is ticked when this session has really done it."</p>
            <ol class="lesson-steps" data-testid="video-lesson-steps">
                {move || steps.get().into_iter().map(|s| view! {
                    <li class=if s.done { "done" } else { "todo" }>
                        <strong>{if s.done { "✓ " } else { "○ " }}{s.title}</strong>
                        <p>{s.what}</p>
                        <p class="evidence">{s.evidence}</p>
                    </li>
                }).collect_view()}
            </ol>
            <h3>"Failure drills"</h3>
            <div class="lesson-drills">
                {DRILLS.iter().map(|d| {
                    let (lab_a, id) = (lab.clone(), d.id);
                    view! {
                        <div class="drill">
                            <strong>{d.name}</strong>
                            <p>{d.teaches}</p>
                            <p class="chart-note">{d.how}</p>
                            <button data-testid=format!("video-lesson-{}", d.id) on:click=move |_| drills::set_up(&lab_a, id)>"Set it up"</button>
                        </div>
                    }
                }).collect_view()}
            </div>
            <button data-testid="video-lesson-reset" on:click=move |_| drills::reset(&lab)>"Reset settings, knobs and clock"</button>
        </section>
    }
}
