import { Module } from '@nestjs/common';
import { EventsController } from './events.controller';

/** `/admin/events`: list, detail with deliveries, replay. */
@Module({ controllers: [EventsController] })
export class EventsAdminModule {}
