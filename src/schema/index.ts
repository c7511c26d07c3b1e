import './errors.js';
import './scalars.js';
import './node.js';
import './video.js';
import './search.js';
import './chat.js';
import './transcription.js';
import './auth.js';
import './live.js';
import { lexicographicSortSchema } from 'graphql';
import { builder } from '../builder.js';

export const schema = builder.toSchema();

/** The schema as checked in to schema.graphql: sorted, so the diff shows only real changes. */
export const sortedSchema = lexicographicSortSchema(schema);
