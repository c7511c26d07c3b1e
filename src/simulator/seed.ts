import type { SimScene, SimVideoStatus } from './types.js';

export interface SeedVideo {
  videoName: string;
  status: SimVideoStatus;
  /** How long before the account's creation it was uploaded. */
  ageMs: number;
  /** Seconds; applied once the video is PARSE. */
  duration: number;
  description: string;
  scenes: SimScene[];
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The sample library every new account gets: varied subjects so searches have something to
 * rank, one FAIL and one UNPARSE (which turns PARSE after parseDelayMs) so status handling
 * shows up in a demo.
 */
export const SEED_VIDEOS: readonly SeedVideo[] = [
  {
    videoName: 'pasta_carbonara_tutorial.mp4',
    status: 'PARSE',
    ageMs: 6 * DAY + 3 * HOUR,
    duration: 312,
    description:
      'A home cook prepares spaghetti carbonara in a small kitchen, from boiling pasta to plating with pecorino and black pepper.',
    scenes: [
      {
        start: 0,
        end: 28,
        text: 'A cook in a striped apron introduces the recipe next to a kitchen counter with eggs, guanciale and pecorino cheese.',
        speech: "Hi everyone, today we're making a real Roman carbonara, no cream at all.",
      },
      {
        start: 28,
        end: 85,
        text: 'Spaghetti is dropped into a large pot of boiling salted water on a gas stove.',
        speech: 'Salt the water generously, it should taste like the sea.',
      },
      {
        start: 85,
        end: 150,
        text: 'Strips of guanciale sizzle in a frying pan until golden and crispy.',
        speech: 'Render the guanciale slowly so the fat melts out.',
      },
      {
        start: 150,
        end: 215,
        text: 'Egg yolks are whisked with grated pecorino cheese and plenty of black pepper in a bowl.',
        speech: 'Whisk the yolks with the cheese into a thick paste.',
      },
      {
        start: 215,
        end: 270,
        text: 'The drained pasta is tossed with the egg mixture and a splash of pasta water off the heat.',
        speech: 'Off the heat, or you will end up with scrambled eggs.',
      },
      {
        start: 270,
        end: 312,
        text: 'The finished carbonara is plated, topped with more cheese, and the cook tastes a forkful.',
        speech: 'Creamy, peppery, perfect. Enjoy!',
      },
    ],
  },
  {
    videoName: 'golden_retriever_park.mp4',
    status: 'PARSE',
    ageMs: 5 * DAY + 7 * HOUR,
    duration: 95,
    description: 'A golden retriever plays fetch with its owner in a sunny city park and meets another dog.',
    scenes: [
      {
        start: 0,
        end: 22,
        text: 'A golden retriever runs across green grass in a park chasing a red ball.',
        speech: 'Go get it, Max! Good boy!',
      },
      {
        start: 22,
        end: 48,
        text: 'The dog brings the ball back to its owner and drops it at her feet, tail wagging.',
        speech: 'Drop it. Good. Ready again?',
      },
      {
        start: 48,
        end: 75,
        text: 'A small black terrier approaches and the two dogs sniff each other near a bench.',
        speech: 'Oh, you made a friend. Say hello nicely.',
      },
      {
        start: 75,
        end: 95,
        text: 'The retriever drinks from a water fountain and lies down in the shade of a tree.',
        speech: "Alright, that's enough running for today.",
      },
    ],
  },
  {
    videoName: 'city_traffic_night.mov',
    status: 'PARSE',
    ageMs: 4 * DAY + 2 * HOUR,
    duration: 180,
    description: 'Night-time footage of a busy downtown intersection with cars, buses, neon signs and rain.',
    scenes: [
      {
        start: 0,
        end: 45,
        text: 'Cars with bright headlights stream through a downtown intersection at night under neon signs.',
        speech: 'Sound of engines and distant horns.',
      },
      {
        start: 45,
        end: 90,
        text: 'A red double-decker bus stops at a traffic light while pedestrians cross with umbrellas.',
        speech: 'The light is changing, walk now.',
      },
      {
        start: 90,
        end: 140,
        text: 'Rain starts falling and the wet street reflects the taillights of a taxi.',
        speech: 'Rain pattering on the pavement.',
      },
      {
        start: 140,
        end: 180,
        text: 'A police car with flashing lights and a siren passes through the traffic.',
        speech: 'Siren wailing as it passes.',
      },
    ],
  },
  {
    videoName: 'sunday_league_soccer_final.mp4',
    status: 'PARSE',
    ageMs: 3 * DAY + 5 * HOUR,
    duration: 540,
    description:
      'An amateur soccer final on a muddy pitch: a goal, a penalty save and the trophy celebration.',
    scenes: [
      {
        start: 0,
        end: 60,
        text: 'Two amateur soccer teams in blue and white kits line up on a muddy pitch before kickoff.',
        speech: 'Welcome to the Sunday league final, what a crowd today.',
      },
      {
        start: 60,
        end: 190,
        text: 'A striker in blue dribbles past two defenders and scores a goal into the top corner.',
        speech: 'He shoots, he scores! What a goal!',
      },
      {
        start: 190,
        end: 320,
        text: 'The referee shows a yellow card after a hard tackle near the penalty area.',
        speech: "That's a booking, and it could have been worse.",
      },
      {
        start: 320,
        end: 430,
        text: 'The goalkeeper dives to his left and saves a penalty kick.',
        speech: 'Saved! The keeper guesses right!',
      },
      {
        start: 430,
        end: 540,
        text: 'The blue team lifts the trophy and celebrates with fans at the final whistle.',
        speech: 'Champions! The blue team wins the final!',
      },
    ],
  },
  {
    videoName: 'beach_sunset_timelapse.mp4',
    status: 'PARSE',
    ageMs: 2 * DAY + 9 * HOUR,
    duration: 64,
    description: 'A timelapse of the sun setting over the ocean from a sandy beach, with waves and seagulls.',
    scenes: [
      {
        start: 0,
        end: 20,
        text: 'Waves roll onto a sandy beach while the sun hangs low over the ocean.',
        speech: 'Waves crashing softly.',
      },
      {
        start: 20,
        end: 42,
        text: 'The sky turns orange and pink as the sun touches the horizon and seagulls fly past.',
        speech: 'Seagulls calling in the distance.',
      },
      {
        start: 42,
        end: 64,
        text: 'The sun disappears below the sea and the first stars appear over the darkening beach.',
        speech: 'Gentle wind and waves.',
      },
    ],
  },
  {
    videoName: 'mountain_hiking_trail.mp4',
    status: 'PARSE',
    ageMs: 1 * DAY + 4 * HOUR,
    duration: 420,
    description: 'A hiker climbs a forest trail to a rocky summit with a view over a mountain lake.',
    scenes: [
      {
        start: 0,
        end: 90,
        text: 'A hiker with a backpack starts up a forest trail marked with a wooden sign.',
        speech: "It's six kilometres to the summit, let's go.",
      },
      {
        start: 90,
        end: 200,
        text: 'The trail crosses a wooden bridge over a rushing mountain stream.',
        speech: 'Careful, the bridge is slippery.',
      },
      {
        start: 200,
        end: 320,
        text: 'The hiker scrambles over rocks above the tree line as clouds drift by.',
        speech: 'Almost there, just this last rocky section.',
      },
      {
        start: 320,
        end: 420,
        text: 'At the summit the hiker looks out over a turquoise mountain lake far below.',
        speech: 'Wow, look at that lake. Totally worth it.',
      },
    ],
  },
  {
    videoName: 'laptop_unboxing_review.mp4',
    status: 'UNPARSE',
    ageMs: 2 * MINUTE,
    duration: 246,
    description:
      'A tech reviewer unboxes a new silver laptop, inspects the ports and tests the keyboard and screen.',
    scenes: [
      {
        start: 0,
        end: 50,
        text: 'A reviewer cuts the tape on a white box and lifts out a thin silver laptop.',
        speech: "Here it is, the new model, let's open it up.",
      },
      {
        start: 50,
        end: 120,
        text: 'Close-up of the laptop ports: two USB-C, a headphone jack and an HDMI port.',
        speech: 'You get two USB-C ports, HDMI and a headphone jack.',
      },
      {
        start: 120,
        end: 190,
        text: 'The reviewer types on the backlit keyboard and scrolls on the large trackpad.',
        speech: 'The keyboard feels great, nice travel.',
      },
      {
        start: 190,
        end: 246,
        text: 'The screen shows a colourful test image and the reviewer gives a thumbs up.',
        speech: 'Bright, sharp display. First impressions: very good.',
      },
    ],
  },
  {
    videoName: 'warehouse_cctv_export.avi',
    status: 'FAIL',
    ageMs: 12 * HOUR,
    duration: 0,
    description: 'A CCTV export from a warehouse camera that could not be decoded.',
    scenes: [],
  },
];
