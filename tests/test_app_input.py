"""Real input through pygame's event queue, pygame_gui and the app's event handling."""
import pygame
import pytest

from signet_arcade import commands as cmd
from signet_arcade.app import App
from signet_arcade.help_texts import HELP
from signet_arcade.session import NEW_ARCHITECTURE
from signet_arcade.settings import Settings

SMALL = cmd.SetArchitecture(heads=2, layers=1, embed=16, context=16)


@pytest.fixture
def app():
    app = App(Settings(headless=True, width=1280, height=720, preset="patterns", seed=2))
    app.send(SMALL)
    frames(app, 1)
    yield app
    pygame.quit()


def frames(app, n=1):
    """Let the app handle what is queued and draw, like the live loop (without waiting)."""
    for _ in range(n):
        for event in pygame.event.get():
            app.handle_event(event)
        app.tick(1 / 60)


def click(app, pos):
    pygame.mouse.set_pos(pos)
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0)))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1))
    frames(app, 2)


def choose(app, menu_name, option):
    """Open an architecture drop-down and pick an option, with clicks."""
    click(app, app.controls.arch_menus[menu_name].rect.center)
    items = app.controls.arch_menus[menu_name].current_state.options_selection_list.item_list
    button = next(i["button_element"] for i in items if i["text"] == option)
    click(app, button.rect.center)
    frames(app, 3)          # list selection -> drop-down changed -> our command, one frame each


def test_clicking_train_starts_training_and_pause_stops_it(app):
    assert not app.session.running and app.session.trainer.step_count == 0
    click(app, app.controls.train_button.rect.center)
    assert app.session.running
    frames(app, 5)
    assert app.session.trainer.step_count > 0
    assert app.controls.train_button.text == "Pause"
    click(app, app.controls.train_button.rect.center)
    assert not app.session.running
    steps = app.session.trainer.step_count
    frames(app, 3)
    assert app.session.trainer.step_count == steps


def test_step_once_button(app):
    click(app, app.controls.step_button.rect.center)
    assert app.session.trainer.step_count == 1 and not app.session.running


def test_changing_heads_resets_the_model(app):
    app.session.train(5, None)
    choose(app, "heads", "4")
    cfg = app.session.trainer.cfg
    assert (cfg.heads, cfg.embed) == (4, 16) and app.session.trainer.step_count == 0
    assert app.session.notice == NEW_ARCHITECTURE


def test_only_valid_embed_sizes_are_offered(app):
    choose(app, "heads", "8")
    embeds = [int(text) for text, _ in app.controls.arch_menus["embed"].options_list]
    assert embeds and all(e % 8 == 0 and e // 8 >= 4 for e in embeds)
    assert app.session.trainer.cfg.embed % 8 == 0


def test_typed_text_and_use_switch_the_training_text(app):
    click(app, app.controls.text_box.rect.center)
    words = ("a visitor typed this little poem. " * 3).strip()
    for ch in words:                 # a visitor types: one key per frame at most
        pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text=ch))
        frames(app, 1)
    frames(app, 1)
    assert app.controls.state.draft == words
    assert app.controls.count_label.text == f"{len(words)} characters"
    click(app, app.controls.use_button.rect.center)
    assert app.session.text == words and app.session.text_name == "Your text"
    frames(app, 1)
    assert app.controls.description.html_text == f"Learning from Your text: {len(words)} characters"
    assert app.session.trainer.cfg.heads == 2, "the architecture is kept"


def test_hovering_a_question_mark_shows_its_help(app):
    frames(app, 1)
    button = app.controls.help_buttons["architecture"]
    pygame.mouse.set_pos(button.rect.center)
    frames(app, 2)
    assert app.tooltip == HELP["architecture"]
    assert app.tooltip_rect is not None and app.tooltip_rect.width > 100
    pygame.mouse.set_pos(app._help_rects[0][0].center)          # the first panel's "?"
    frames(app, 1)
    assert app.tooltip == HELP["sample"]
    pygame.mouse.set_pos((5, app.screen.get_height() - 2))       # nothing there
    frames(app, 1)
    assert app.tooltip is None


def test_tapping_a_question_mark_pins_its_help(app):
    rect, key = next((r, k) for r, k in app._help_rects if k == "loss")
    click(app, rect.center)
    pygame.mouse.set_pos((5, app.screen.get_height() - 2))       # a finger lifts off: no hover
    frames(app, 1)
    assert app.tooltip == HELP["loss"]
    click(app, (5, app.screen.get_height() - 2))
    assert app.tooltip is None


def test_a_dropped_text_file_is_used(app, tmp_path):
    path = tmp_path / "my story.txt"
    path.write_text("Once upon a time there was a small model that learned to write. " * 20, encoding="utf-8")
    pygame.event.post(pygame.event.Event(pygame.DROPFILE, file=str(path)))
    frames(app, 1)
    assert app.session.text_name == "my story.txt"
    assert app.session.snapshot().text_name == "my story.txt"


def test_a_dropped_picture_is_refused_with_words(app, tmp_path):
    path = tmp_path / "photo.txt"
    path.write_bytes(bytes(range(256)) * 40)
    pygame.event.post(pygame.event.Event(pygame.DROPFILE, file=str(path)))
    frames(app, 1)
    assert app.session.text_name == "patterns" and app.session.notice_is_warning


@pytest.mark.parametrize("size", [(800, 480), (1920, 1080), (1024, 600)])
def test_resize_reflows_everything(app, size):
    click(app, app.controls.train_button.rect.center)
    pygame.event.post(pygame.event.Event(pygame.VIDEORESIZE, size=size, w=size[0], h=size[1]))
    frames(app, 1)
    assert app.screen.get_size() == size and app.layout.size == size
    window = app.screen.get_rect()
    assert all(window.contains(r) for r in app.layout.panels)
    sidebar = app.layout.sidebar
    for element in app.manager.get_root_container().elements:
        assert sidebar.contains(element.rect), f"{element} leaves the sidebar at {size}"
    assert app.session.running and app.controls.train_button.text == "Pause", "state survives a reflow"


def test_f12_saves_a_screenshot(tmp_path):
    app = App(Settings(headless=True, width=800, height=480, preset="patterns", screenshots_dir=str(tmp_path)))
    frames(app, 1)
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_F12, mod=0, unicode="", scancode=0))
    frames(app, 1)
    shots = list(tmp_path.glob("*.png"))
    assert len(shots) == 1 and pygame.image.load(str(shots[0])).get_size() == (800, 480)
    pygame.quit()


def test_a_huge_paste_keeps_the_box_small_and_the_whole_text(app):
    from pygame_gui.core.utility import clipboard_copy
    click(app, app.controls.text_box.rect.center)
    book = "".join(f"line {i}: the quick brown fox\n" for i in range(4000))        # ~120,000 characters
    clipboard_copy(book)
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_v, mod=pygame.KMOD_CTRL, unicode="\x16",
                                         scancode=25))
    frames(app, 2)
    assert app.controls.state.draft == book
    assert len(app.controls.text_box.get_text()) <= 2_000
    assert app.controls.count_label.text == f"{len(book):,} characters"
    click(app, app.controls.use_button.rect.center)
    assert app.session.text == book
